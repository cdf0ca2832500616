// `omnisparse/element` (dist-lib/omnisparse-dictation.js): the one-tag entry. Importing it registers
// <omnisparse-dictation>; it also re-exports the whole API, so a plain page needs this single module.
export * from './index';
import { defineOmnisparseDictation } from '../widget/element';

defineOmnisparseDictation();

import type { FileOutcome } from '../store/state';

/** What the last file gave: silence and failures must not look like a transcript still on its way. */
export function fileOutcomeText(o: FileOutcome): string {
  if (!o.ok) return `${o.name} could not be transcribed (the message above says why)`;
  const said = o.lines === 0 ? `No speech heard in ${o.name}` : `${o.name}: ${o.lines} line${o.lines === 1 ? '' : 's'} added`;
  return o.warnings.length === 0 ? said : `${said}. Warning: ${o.warnings.join('; ')}`;
}

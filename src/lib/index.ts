// The package's main entry (`omnisparse`): the recognizer API for apps with their own UI, the element class (not
// registered: import `omnisparse/element` or call defineOmnisparseDictation()), and mountOmnisparse. Free of side
// effects apart from the runtime's default location.
import './bundled-runtime';

export { configureOmnisparse, type OmnisparseConfig } from './config';
export { createRecognizer } from './create';
export type { CreateRecognizerOptions, OmnisparseListener, OmnisparseRecognizer } from './recognizer';
export { OMNISPARSE_EVENT_TYPES, type OmnisparseEvent, type OmnisparseEventMap, type OmnisparseEventType } from './events';
export { ORT_RUNTIME_FILES, manifestUrlFor, wasmPathsFor } from './options';
/** The second passes a manifest offers on a level (for a picker; 'none' always). */
export { availableFinalPasses } from '../asr/manifest';
export {
  DICTATION_TAG,
  OmnisparseDictationElement,
  defineOmnisparseDictation,
  type OmnisparseDictationEvents,
} from '../widget/element';
export { mountOmnisparse, type WidgetHandle, type WidgetOptions } from '../widget';
export type { WasmPaths } from '../asr/messages';
export type {
  BackendChoice,
  BackendName,
  FinalPassInfo,
  FinalPassKind,
  FinalTextSource,
  LevelInfo,
  Manifest,
  RecognizerErrorCode,
  RecognizerStatus,
  WhisperInfo,
  WordTiming,
} from '../asr/types';
export type { RecognizerState, RecognizerStore } from '../store/store';

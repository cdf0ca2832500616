// The slice of recognizer state a UI usually needs, flattened (used by the React hook; handy for any framework).
import type { BackendName, FinalPassKind, RecognizerErrorCode, RecognizerStatus } from '../asr/types';
import { offeredFinalPasses } from '../store/finalPass';
import type { FinalLine, RecognizerData } from '../store/state';

export interface DictationSnapshot {
  status: RecognizerStatus;
  /** the model is loaded and nothing is in progress: start() and transcribeFile() act at once */
  ready: boolean;
  listening: boolean;
  finals: readonly FinalLine[];
  partial: string;
  /** finals and the partial as one string */
  text: string;
  /** the running level, and every level of the manifest, dense first */
  level: string | null;
  levels: readonly { id: string; label: string; sparsity: number }[];
  auto: boolean;
  /** the second pass writing the final lines now, and those the running level offers ('none' always) */
  finalPass: FinalPassKind;
  finalPasses: readonly FinalPassKind[];
  backend: BackendName | null;
  /** the newest error, if any */
  error: { code: RecognizerErrorCode; message: string } | null;
}

export function dictationSnapshot(s: RecognizerData): DictationSnapshot {
  const error = s.errors.at(-1);
  return {
    status: s.status,
    ready: s.manifest !== null && s.status === 'idle',
    listening: s.status === 'listening',
    finals: s.finals,
    partial: s.partial,
    text: [...s.finals.map((f) => f.text.trim()), s.partial.trim()].filter((t) => t !== '').join(' '),
    level: s.activeLevel,
    levels: s.levels.map((l) => ({ id: l.id, label: l.label, sparsity: l.sparsity })),
    auto: s.auto.enabled,
    finalPass: s.activeFinalPass,
    finalPasses: offeredFinalPasses(s.manifest, s.activeLevel),
    backend: s.backend,
    error: error ? { code: error.code, message: error.message } : null,
  };
}

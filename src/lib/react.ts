// `omnisparse/react`: useOmnisparse(), for React apps with their own UI. One recognizer per component instance, kept
// alive across StrictMode's mount → unmount → mount probe (retainStore) and disposed when the component goes.
// React is a peer dependency, external to the library build.
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { FinalPassKind } from '../asr/types';
import { retainStore } from '../store/useRecognizer';
import './bundled-runtime';
import { createRecognizer } from './create';
import type { CreateRecognizerOptions, OmnisparseRecognizer } from './recognizer';
import { dictationSnapshot, type DictationSnapshot } from './snapshot';

export type { DictationSnapshot } from './snapshot';

export interface OmnisparseHook {
  state: DictationSnapshot;
  start(): Promise<void>;
  stop(): Promise<void>;
  toggle(): Promise<void>;
  setLevel(level: string): Promise<void>;
  setFinalPass(kind: FinalPassKind): Promise<void>;
  transcribeFile(file: Blob): Promise<void>;
  /** the full API: events (on), the zustand store, metrics */
  recognizer: OmnisparseRecognizer;
}

/** Options are read on the first render only: a different model or backend means a new component (use a `key`). */
export function useOmnisparse(options: Omit<CreateRecognizerOptions, 'autoLoad'> = {}): OmnisparseHook {
  const [recognizer] = useState(() => createRecognizer({ ...options, autoLoad: false }));
  useEffect(() => {
    const release = retainStore(recognizer.store);
    void recognizer.load(); // idempotent, so StrictMode's second run does not load twice
    return release;
  }, [recognizer]);
  const state = useSyncExternalStore(recognizer.store.subscribe, recognizer.store.getState, recognizer.store.getState);
  const snapshot = useMemo(() => dictationSnapshot(state), [state]);
  return useMemo(
    () => ({
      state: snapshot,
      start: recognizer.start,
      stop: recognizer.stop,
      toggle: recognizer.toggle,
      setLevel: recognizer.setLevel,
      setFinalPass: recognizer.setFinalPass,
      transcribeFile: recognizer.transcribeFile,
      recognizer,
    }),
    [snapshot, recognizer],
  );
}

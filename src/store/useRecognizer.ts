// The one hook that owns the RecognizerClient (cf. whisper-web's useWorker): the first render creates the client and
// its store, the last unmount disposes them. Components below read the same store through RecognizerContext.
import { createContext, useContext, useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { BackendChoice, FinalPassKind, RecognizerClient } from '../asr/types';
import { createRecognizerStore, type RecognizerState, type RecognizerStore } from './store';

export interface RecognizerOptions {
  createClient: () => RecognizerClient;
  manifestUrl: string;
  level?: string;
  backend?: BackendChoice;
  /** an explicit second pass, loaded with the model (see LoadOptions.finalPass) */
  finalPass?: FinalPassKind;
  /** a second pass to switch to after loading where the model offers it (see LoadOptions.preferredFinalPass) */
  preferredFinalPass?: FinalPassKind;
}

/**
 * Ref-counts a store's users and disposes it when the count stays at zero past the current task. The delay is what
 * lets React StrictMode's mount → unmount → mount probe keep the same client instead of killing its worker.
 */
export function retainStore(store: RecognizerStore): () => void {
  const counts = retainCounts.get(store) ?? { n: 0 };
  retainCounts.set(store, counts);
  counts.n += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    counts.n -= 1;
    setTimeout(() => {
      if (counts.n === 0) store.getState().dispose();
    }, 0);
  };
}
const retainCounts = new WeakMap<RecognizerStore, { n: number }>();

export function useRecognizer(opts: RecognizerOptions): RecognizerStore {
  const [store] = useState(() => createRecognizerStore(opts.createClient(), opts.backend ?? 'auto'));
  useEffect(() => retainStore(store), [store]);
  useEffect(() => {
    // Load once per store: StrictMode re-runs this effect, so skip when a load was already started.
    if (store.getState().manifestUrl !== null) return;
    const { level, backend, finalPass, preferredFinalPass } = opts;
    void store.getState().load(opts.manifestUrl, { level, backend, finalPass, preferredFinalPass });
    // The options are read once by design: changing them would mean a new client, i.e. a remount.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store]);
  return store;
}

export const RecognizerContext = createContext<RecognizerStore | null>(null);

/** Selects a slice of the recognizer state provided by the nearest RecognizerContext. */
export function useRecognizerState<T>(selector: (s: RecognizerState) => T): T {
  const store = useContext(RecognizerContext);
  if (!store) throw new Error('useRecognizerState must be used inside <RecognizerContext.Provider>');
  return useStore(store, selector);
}

// One zustand (vanilla) store per RecognizerClient. The React app reads it through useRecognizer(); the widget uses
// it directly, so both share the exact same action logic.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { LevelMeasurer } from '../asr/measure';
import type { BackendChoice, FinalPassKind, FinalPassSetter, RecognizerClient } from '../asr/types';
import { initialAutoState } from './autoLevel';
import { offeredFinalPasses, resolvePreferredFinalPass } from './finalPass';
import { createLabActions, type LabActions } from './labActions';
import {
  RETRYABLE_LOAD_ERRORS,
  canRetryLoad,
  errorFromThrown,
  initialData,
  recordPartialShown,
  reduceEvent,
  withError,
  type RecognizerData,
} from './state';

export interface LoadOptions {
  level?: string;
  backend?: BackendChoice;
  /**
   * An explicit second pass, given to the client's load (the worker loads its models before it reports ready); one
   * the model does not offer is an 'error' event and finals stay streaming ones.
   */
  finalPass?: FinalPassKind;
  /**
   * A preference, used only without `finalPass`: applied after the load (in the background, so the app is usable
   * while e.g. Whisper downloads) when the loaded level offers it, silently dropped otherwise.
   */
  preferredFinalPass?: FinalPassKind;
}

export interface RecognizerActions extends LabActions {
  load(manifestUrl: string, opts?: LoadOptions): Promise<void>;
  /** repeats a failed first load with the same options (see canRetryLoad); a no-op otherwise */
  retryLoad(): Promise<void>;
  startMic(): Promise<void>;
  stopMic(): Promise<void>;
  toggleMic(): Promise<void>;
  transcribeFile(file: Blob): Promise<void>;
  /** the user's choice: also turns the auto level off */
  setLevel(id: string): Promise<void>;
  /**
   * Chooses the second pass (one the selected level offers; others are ignored). The selection moves at once;
   * activeFinalPass follows once its models are loaded, or the selection snaps back if they fail to.
   */
  setFinalPass(kind: FinalPassKind): Promise<void>;
  clearTranscript(): void;
  /** the transcript view painted the current partial at `at` (performance.now()): ends a pending onset latency */
  partialShown(at: number): void;
  dismissError(id: number): void;
  /** unsubscribes from the client and disposes it; the store keeps its last data (finals stay readable) */
  dispose(): void;
}

export type RecognizerState = RecognizerData & RecognizerActions;
export type RecognizerStore = StoreApi<RecognizerState>;

/** Clients made before the second pass (and test fakes) cannot switch it. */
export function canSetFinalPass(client: RecognizerClient & Partial<FinalPassSetter>): client is RecognizerClient & FinalPassSetter {
  return typeof client.setFinalPass === 'function';
}

export function createRecognizerStore(
  client: RecognizerClient & Partial<LevelMeasurer> & Partial<FinalPassSetter>,
  requestedBackend: BackendChoice = 'auto',
): RecognizerStore {
  // Level switches are serialized: while one is loading, only the most recent request is remembered, so dragging
  // the slider across five levels loads at most two models instead of five.
  let levelInFlight: Promise<void> | null = null;
  let levelQueued: string | null = null;
  let disposed = false;
  let lab: ReturnType<typeof createLabActions> | null = null;
  // Second-pass changes are serialized the same way: the worker loads a pass's models before applying it, so an
  // older, slower request (Whisper) could otherwise land after a newer one and win.
  let passInFlight: Promise<void> | null = null;
  let passQueued: FinalPassKind | null = null;
  let lastLoadOptions: LoadOptions = {};

  const store = createStore<RecognizerState>()((set, get) => {
    /** Runs a client call; records its rejection as an error unless the client already emitted one meanwhile. */
    async function guarded(call: () => Promise<unknown>): Promise<boolean> {
      const seqBefore = get().errorSeq;
      try {
        await call();
        return true;
      } catch (err) {
        if (get().errorSeq === seqBefore) {
          const { code, message } = errorFromThrown(err);
          set((s) => withError(s, code, message));
        }
        return false;
      }
    }

    async function runLevelQueue(): Promise<void> {
      while (levelQueued !== null) {
        const id = levelQueued;
        levelQueued = null;
        const ok = await guarded(() => client.setLevel(id));
        // On failure, snap the slider back to what is really running (unless a newer request is pending), and let
        // the auto level continue from there rather than from the level it failed to reach.
        if (!ok && levelQueued === null) set((s) => ({ selectedLevel: s.activeLevel, auto: resyncAuto(s) }));
      }
    }

    function resyncAuto(s: RecognizerData): RecognizerData['auto'] {
      const index = s.levels.findIndex((l) => l.id === s.activeLevel);
      return s.auto.enabled && index >= 0 ? { ...s.auto, machine: initialAutoState(index) } : s.auto;
    }

    async function requestLevel(id: string): Promise<void> {
      if (!get().levels.some((l) => l.id === id)) return;
      set({ selectedLevel: id });
      levelQueued = id;
      if (levelInFlight) return levelInFlight;
      levelInFlight = runLevelQueue().finally(() => {
        levelInFlight = null;
      });
      return levelInFlight;
    }

    async function runPassQueue(): Promise<void> {
      while (passQueued !== null) {
        const kind = passQueued;
        passQueued = null;
        const ok = canSetFinalPass(client) && (await guarded(() => client.setFinalPass(kind)));
        if (ok) set({ activeFinalPass: kind });
        else if (passQueued === null) set((s) => ({ finalPass: s.activeFinalPass }));
      }
    }

    async function requestFinalPass(kind: FinalPassKind): Promise<void> {
      const s = get();
      if (!canSetFinalPass(client) || !offeredFinalPasses(s.manifest, s.selectedLevel).includes(kind)) return;
      set({ finalPass: kind });
      if (kind === s.activeFinalPass && !passInFlight) return;
      passQueued = kind;
      if (passInFlight) return passInFlight;
      passInFlight = runPassQueue().finally(() => {
        passInFlight = null;
      });
      return passInFlight;
    }

    lab = createLabActions({ client, get, set, requestLevel });

    return {
      ...initialData(requestedBackend),

      async load(manifestUrl, opts = {}) {
        lastLoadOptions = opts;
        const backend = opts.backend ?? get().requestedBackend;
        const explicit = opts.finalPass;
        set({ manifestUrl, requestedBackend: backend, ...(explicit ? { finalPass: explicit } : {}) });
        const loaded = await guarded(async () => {
          const errorsBefore = get().errorSeq;
          const manifest = await client.load(manifestUrl, { level: opts.level, backend, finalPass: explicit });
          const level = opts.level && manifest.levels.some((l) => l.id === opts.level) ? opts.level : manifest.defaultLevel;
          // The worker reports a second pass that failed to load as an error event and still loads (streaming finals
          // are finals); such an event during this load can only be that one.
          const passLoaded = explicit !== undefined && offeredFinalPasses(manifest, level).includes(explicit) && get().errorSeq === errorsBefore;
          const pass: FinalPassKind = passLoaded ? explicit : 'none';
          set((s) => ({
            manifest,
            levels: manifest.levels,
            selectedLevel: level,
            activeLevel: s.activeLevel ?? level,
            finalPass: pass,
            activeFinalPass: pass,
          }));
        });
        const s = get();
        if (loaded && explicit === undefined && opts.preferredFinalPass !== undefined) {
          const kind = resolvePreferredFinalPass(opts.preferredFinalPass, offeredFinalPasses(s.manifest, s.selectedLevel));
          if (kind !== 'none') void requestFinalPass(kind);
        }
      },

      async retryLoad() {
        const s = get();
        if (!canRetryLoad(s) || s.manifestUrl === null) return;
        // The old banners describe the failed attempt; a new failure brings its own.
        set({ errors: s.errors.filter((e) => !RETRYABLE_LOAD_ERRORS.includes(e.code)) });
        await get().load(s.manifestUrl, lastLoadOptions);
      },

      async startMic() {
        // The Compare sweep shares the worker's queue; audio would wait behind it.
        if (get().compare.phase === 'running') return;
        await guarded(() => client.startMicrophone());
      },

      async stopMic() {
        await guarded(() => client.stopMicrophone());
      },

      async toggleMic() {
        if (get().status === 'listening') await get().stopMic();
        else await get().startMic();
      },

      async transcribeFile(file) {
        if (get().compare.phase === 'running') return;
        const before = get().finals.length;
        set({ lastFile: null });
        let warnings: string[] = [];
        const ok = await guarded(async () => {
          warnings = (await client.transcribeFile(file)).warnings;
        });
        // Lines cleared meanwhile cannot be told from lines never written; max(0) keeps the count honest enough.
        const name = file instanceof File ? file.name : 'audio';
        set((s) => ({ lastFile: { name, lines: Math.max(0, s.finals.length - before), ok, warnings } }));
      },

      async setLevel(id) {
        if (get().auto.enabled) lab!.setAuto(false);
        return requestLevel(id);
      },

      setFinalPass: (kind) => requestFinalPass(kind),

      measureAll: () => lab!.measureAll(),
      cancelMeasure: () => lab!.cancelMeasure(),
      setAuto: (enabled) => lab!.setAuto(enabled),

      clearTranscript() {
        set({ finals: [], partial: '' });
      },

      partialShown(at) {
        if (get().onsetLatency.pendingOnsetAt === null) return; // no re-render for the common case
        set((s) => ({ onsetLatency: recordPartialShown(s.onsetLatency, at) }));
      },

      dismissError(id) {
        set((s) => ({ errors: s.errors.filter((e) => e.id !== id) }));
      },

      dispose() {
        if (disposed) return;
        disposed = true;
        unsubscribe();
        client.dispose();
      },
    };
  });

  const unsubscribe = client.on((e) => {
    store.setState((s) => reduceEvent(s, e));
    if (e.type === 'metrics') lab?.onMetrics(e.metrics);
  });
  return store;
}

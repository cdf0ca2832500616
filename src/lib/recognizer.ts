// createRecognizer() (create.ts): the library's API for apps that bring their own UI. It is the app's own stack (the worker-backed
// RecognizerClient and the zustand store with its level queue and auto level) behind a small surface: methods that
// never reject (failures arrive as 'error' events and in state.errors, as in the app) and typed events.
import type { LevelMeasurer } from '../asr/measure';
import type { WasmPaths } from '../asr/messages';
import type { BackendChoice, FinalPassKind, FinalPassSetter, RecognizerClient } from '../asr/types';
import { createRecognizerStore, type RecognizerState, type RecognizerStore } from '../store/store';
import { pickWasm } from './config';
import { initialTracker, translateEvent, type OmnisparseEventMap, type OmnisparseEventType } from './events';
import { manifestUrlFor, parseLevel, wasmPathsFor } from './options';

export interface CreateRecognizerOptions {
  /** folder holding manifest.json (or the manifest's URL); relative to the page. Default 'models/' */
  models?: string;
  /** a level id from the manifest, or 'auto' (the densest level this device keeps up with); default: the manifest's */
  level?: string;
  /** default 'auto': WebGPU if available, else WASM, multithreaded only on a cross-origin isolated page */
  backend?: BackendChoice;
  /**
   * The second pass that writes each final line (docs/contracts.md §7): 'none' (default: the streaming text, no extra
   * download), 'transducer' (the level re-reads the whole utterance: its full-context encoder, ~7.5 MB gzip) or
   * 'whisper' (Whisper tiny.en's decoder on it: cased, punctuated finals, ~21 MB gzip more). Loaded with the model, so
   * the recognizer is ready once it is; one the model does not offer is an 'error' event and finals stay streaming.
   */
  finalPass?: FinalPassKind;
  /** onnxruntime-web's runtime: a folder, or exact URLs; default: configureOmnisparse(), else the package's ort/ */
  wasm?: string | WasmPaths;
  /** start loading the models now (default true); false lets a framework decide when (see react.ts) */
  autoLoad?: boolean;
  /** advanced and for tests: a RecognizerClient to use instead of the default worker-backed one */
  client?: RecognizerClient & Partial<LevelMeasurer> & Partial<FinalPassSetter>;
}

export type OmnisparseListener<K extends OmnisparseEventType> = (detail: OmnisparseEventMap[K]) => void;

export interface OmnisparseRecognizer {
  /** the full state (transcript, levels, metrics, errors) as a zustand vanilla store: subscribe() / getState() */
  readonly store: RecognizerStore;
  readonly manifestUrl: string;
  /** loads the manifest and the first level; idempotent, and implied by every other method */
  load(): Promise<void>;
  /** opens the microphone (asks for permission) once the model is loaded */
  start(): Promise<void>;
  /** stops the microphone; resolves after the last words are final */
  stop(): Promise<void>;
  toggle(): Promise<void>;
  /** a level id, or 'auto' */
  setLevel(level: string): Promise<void>;
  /**
   * Switches the second pass; resolves once its models are loaded and the next final uses it (finals meanwhile come
   * from the previous one). A pass the running level does not offer is ignored.
   */
  setFinalPass(kind: FinalPassKind): Promise<void>;
  /** decodes an audio file with the browser and streams it through the same path; resolves once fully final */
  transcribeFile(file: Blob): Promise<void>;
  on<K extends OmnisparseEventType>(type: K, listener: OmnisparseListener<K>): () => void;
  getState(): RecognizerState;
  /** stops the microphone and ends the worker; the last state stays readable */
  dispose(): void;
}

type AnyListener = (detail: never) => void;

/** Calls one listener; an embedder's exception must not stop the others nor the recognizer, so it is rethrown apart. */
function callSafely(listener: AnyListener, detail: unknown): void {
  try {
    (listener as (d: unknown) => void)(detail);
  } catch (err) {
    queueMicrotask(() => {
      throw err;
    });
  }
}

export type ClientFactory = (o: { wasmPaths?: WasmPaths }) => RecognizerClient & Partial<LevelMeasurer> & Partial<FinalPassSetter>;

/**
 * createRecognizer() with the default client factory injected (create.ts passes the worker-backed one): this module
 * stays free of Worker and audio APIs, so Node unit tests drive it with a fake client.
 */
export function buildRecognizer(opts: CreateRecognizerOptions, defaultClient: ClientFactory): OmnisparseRecognizer {
  const wasm = pickWasm(opts.wasm);
  const client = opts.client ?? defaultClient(wasm === undefined ? {} : { wasmPaths: wasmPathsFor(wasm) });
  // Created before our own subscription, so the store has folded an event in by the time listeners hear of it.
  const store = createRecognizerStore(client, opts.backend ?? 'auto');
  const manifestUrl = manifestUrlFor(opts.models);
  const request = parseLevel(opts.level);
  const listeners = new Map<OmnisparseEventType, Set<AnyListener>>();

  let tracker = initialTracker();
  client.on((e) => {
    const ctx = { hasManifest: client.manifest !== null, auto: store.getState().auto.enabled };
    const [event, next] = translateEvent(e, tracker, ctx);
    tracker = next;
    if (event) listeners.get(event.type)?.forEach((l) => callSafely(l, event.detail));
  });

  let loading: Promise<void> | null = null;
  const load = (): Promise<void> =>
    (loading ??= store
      .getState()
      .load(manifestUrl, { level: request.level, backend: opts.backend, finalPass: opts.finalPass })
      .then(() => {
        if (request.auto && store.getState().manifest) store.getState().setAuto(true);
      }));
  /** Every action waits for the model; without one (load failed) there is nothing to act on and the error is shown. */
  const whenLoaded = async (): Promise<boolean> => {
    await load();
    return store.getState().manifest !== null;
  };

  const recognizer: OmnisparseRecognizer = {
    store,
    manifestUrl,
    load,
    async start() {
      if (await whenLoaded()) await store.getState().startMic();
    },
    async stop() {
      await store.getState().stopMic();
    },
    async toggle() {
      if (store.getState().status === 'listening') await store.getState().stopMic();
      else await recognizer.start();
    },
    async setLevel(level) {
      if (!(await whenLoaded())) return;
      const r = parseLevel(level);
      if (r.auto) store.getState().setAuto(true);
      else if (r.level !== undefined) await store.getState().setLevel(r.level);
    },
    async setFinalPass(kind) {
      if (await whenLoaded()) await store.getState().setFinalPass(kind);
    },
    async transcribeFile(file) {
      if (await whenLoaded()) await store.getState().transcribeFile(file);
    },
    on(type, listener) {
      const set = listeners.get(type) ?? new Set<AnyListener>();
      listeners.set(type, set);
      set.add(listener as AnyListener);
      return () => set.delete(listener as AnyListener);
    },
    getState: () => store.getState(),
    dispose() {
      store.getState().dispose();
      listeners.clear();
    },
  };
  if (opts.autoLoad !== false) void load();
  return recognizer;
}

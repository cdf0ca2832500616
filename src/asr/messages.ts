// Messages between the main thread (client.ts) and the inference Worker (worker.ts). Every request carries an id;
// the worker answers it with exactly one 'done' or 'failed'. Recognizer events stream independently.

import type { LevelMeasurement } from './measure';
import type { BackendChoice, BackendName, FinalPassKind, Manifest, RecognizerErrorCode, RecognizerEvent } from './types';

/**
 * Where onnxruntime-web's runtime lives: its Emscripten glue (.mjs) and the WebAssembly binary. Always explicit: left to
 * itself, onnxruntime looks next to its own script, which is wrong inside any bundle (the app's or the library's).
 */
export interface WasmPaths {
  mjs: string;
  wasm: string;
}

export type ToWorker =
  /**
   * `finalPass`: loaded after the streaming models, before 'inited'; one the model lacks or that fails to load is an
   * 'error' event, not a failed init (the streaming recognizer works without it)
   */
  | {
      type: 'init';
      id: number;
      manifestUrl: string;
      level?: string;
      backend: BackendChoice;
      wasmPaths?: WasmPaths;
      finalPass?: FinalPassKind;
    }
  /** frames packed as [count, featureDim]; the buffer is transferred */
  | { type: 'features'; id: number; frames: Float32Array; count: number }
  | { type: 'flush'; id: number }
  | { type: 'set-level'; id: number; level: string }
  /** loads what the pass needs while audio keeps flowing (not queued behind it), then applies from the next final */
  | { type: 'set-final-pass'; id: number; finalPass: FinalPassKind }
  /** on-device latency of one level on a private session (Compare view); queued behind pending audio */
  | { type: 'measure'; id: number; level: string }
  /** handled immediately (not queued): makes a running 'measure' fail with code 'internal' within one chunk */
  | { type: 'measure-cancel'; id: number }
  | { type: 'dispose'; id: number };

export type FromWorker =
  | { type: 'event'; event: RecognizerEvent }
  | { type: 'inited'; id: number; manifest: Manifest; backend: BackendName }
  | { type: 'done'; id: number }
  | { type: 'measured'; id: number; result: LevelMeasurement }
  | { type: 'failed'; id: number; code: RecognizerErrorCode; message: string };

/** Distributive Omit, so each union member keeps its own fields. */
export type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

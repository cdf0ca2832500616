// Parsing of the embedder-facing options (element attributes and createRecognizer options) into what the recognizer
// client needs. Pure: every rule here is unit-tested, and the element and the API share it.
import type { WasmPaths } from '../asr/messages';
import type { BackendChoice } from '../asr/types';

/** `final-pass` attribute values: unknown ones are undefined, i.e. the default 'none' (a typo must not break the page). */
export { parseFinalPass } from '../store/finalPass';

/** The onnxruntime-web build the recognizer runs (its JSEP build: WASM and WebGPU in one). Copied by vite.lib.config.ts. */
export const ORT_RUNTIME_FILES = {
  mjs: 'ort-wasm-simd-threaded.jsep.mjs',
  wasm: 'ort-wasm-simd-threaded.jsep.wasm',
} as const satisfies WasmPaths;

/** Without a `models` option the models folder is expected next to the page, as in the repo's own app. */
export const DEFAULT_MODELS = 'models/';

/**
 * `models` names the folder that holds manifest.json (the manifest lists every other file relative to itself), or the
 * manifest itself. A folder is what people copy around, so that is the documented form.
 */
export function manifestUrlFor(models: string | null | undefined): string {
  const value = models?.trim() || DEFAULT_MODELS;
  const path = value.split(/[?#]/)[0] ?? '';
  if (path.endsWith('.json')) return value;
  return `${value.endsWith('/') ? value : `${value}/`}manifest.json`;
}

/** A base folder gets onnxruntime's two file names appended; explicit paths are kept as given. */
export function wasmPathsFor(wasm: string | WasmPaths): WasmPaths {
  if (typeof wasm !== 'string') return wasm;
  const base = wasm.endsWith('/') ? wasm : `${wasm}/`;
  return { mjs: `${base}${ORT_RUNTIME_FILES.mjs}`, wasm: `${base}${ORT_RUNTIME_FILES.wasm}` };
}

export interface LevelRequest {
  /** true for 'auto': the densest level this device keeps up with (src/store/autoLevel.ts) */
  auto: boolean;
  /** a level id of the manifest; undefined means the manifest's default (also the starting point of 'auto') */
  level: string | undefined;
}

/** Level ids come from the model's manifest, so anything but 'auto' is passed through and checked after loading. */
export function parseLevel(value: string | null | undefined): LevelRequest {
  const v = value?.trim() ?? '';
  if (v === '') return { auto: false, level: undefined };
  if (v.toLowerCase() === 'auto') return { auto: true, level: undefined };
  return { auto: false, level: v };
}

const BACKENDS: readonly BackendChoice[] = ['auto', 'webgpu', 'wasm', 'wasm-threaded'];

/** Unknown values fall back to 'auto' rather than failing: an attribute typo must not break the page. */
export function parseBackend(value: string | null | undefined): BackendChoice {
  const v = value?.trim().toLowerCase() ?? '';
  return (BACKENDS as readonly string[]).includes(v) ? (v as BackendChoice) : 'auto';
}

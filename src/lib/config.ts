// Page-wide defaults for every recognizer and <omnisparse-dictation> on the page. Elements written in HTML cannot
// take JavaScript options, and the runtime location is the same for all of them: one call configures it.
import type { WasmPaths } from '../asr/messages';

export interface OmnisparseConfig {
  /** folder with onnxruntime-web's ort-wasm-simd-threaded.jsep.{mjs,wasm}, or the two exact URLs */
  wasm?: string | WasmPaths;
}

let configured: OmnisparseConfig = {};
/** what the entry module ships with (the library's own ort/ folder, or the app's assets); config wins over it */
let bundled: OmnisparseConfig = {};

export function configureOmnisparse(config: OmnisparseConfig): void {
  configured = { ...configured, ...config };
}

/** Called by entry modules only. */
export function setBundledDefaults(defaults: OmnisparseConfig): void {
  bundled = defaults;
}

/** Precedence: the instance's own option (attribute), then configureOmnisparse(), then the bundle's default. */
export function pickWasm(instance: string | WasmPaths | undefined): string | WasmPaths | undefined {
  return instance ?? configured.wasm ?? bundled.wasm;
}

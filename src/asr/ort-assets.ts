// The app's copy of onnxruntime-web's runtime, emitted by Vite as hashed assets next to the app. Imported only by
// app/bench entries (main.tsx, bench/page): the library build locates these files through a base URL instead
// (src/lib/config.ts), because a `?url` import in a Vite library build is inlined as a 25 MB data URL.
import wasmMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import wasmBinaryUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import type { WasmPaths } from './messages';

export const APP_WASM_PATHS: WasmPaths = { mjs: wasmMjsUrl, wasm: wasmBinaryUrl };

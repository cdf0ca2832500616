// Imported first by every library entry (vite.lib.config.ts): the package ships onnxruntime's runtime in `ort/`, next
// to the entry files, so by default it is found relative to this module wherever the package is served from. The
// path is a variable on purpose: a literal `new URL('ort/', import.meta.url)` would make Vite treat it as an asset.
// Bundler users whose bundler moves this module away from ort/ set `wasm` (documented in src/widget/README.md).
import { setBundledDefaults } from './config';

const ORT_DIR = 'ort/';
// `'' + import.meta.url`: also keeps a consumer's bundler (Vite, webpack) from treating the folder as an asset to emit.
setBundledDefaults({ wasm: new URL(ORT_DIR, '' + import.meta.url).href });

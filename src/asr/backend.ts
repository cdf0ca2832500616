// onnxruntime-web backend (browser / Worker). Picks WebGPU when an adapter exists, else WASM (SIMD, multithreaded
// when the page is cross-origin isolated). The WASM runtime files come in as explicit URLs (WasmPaths, from the app's
// asset imports in ort-assets.ts or the library's documented base URL): letting onnxruntime locate them itself breaks
// under Vite (and the threaded build hangs in production bundles). No `?url` import here: in a Vite library build it
// would inline the 25 MB binary into the JavaScript.

import * as ort from 'onnxruntime-web';
import { pickBackend, threadsPossible, wasmThreads } from './backend-choice';
import type { LevelModels, ModelLoader } from './engine';
import { RecognizerError } from './errors';
import { fetchModelFile, resolveModelUrl } from './manifest';
import type { WasmPaths } from './messages';
import { checkModelBytes, toHex } from './model-bytes';
import { ortLevelModels, ortSecondPassLoaders, type OrtSessionLike, type TensorFactory } from './ort-runners';
import type { BackendChoice, BackendName, LevelInfo, Manifest, ModelFile } from './types';

export { wasmThreads } from './backend-choice';

const tensor: TensorFactory = (type, data, dims) => new ort.Tensor(type, data, dims as number[]);

interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<unknown> };
  hardwareConcurrency?: number;
}

export async function hasWebGpu(): Promise<boolean> {
  const gpu = (globalThis.navigator as GpuNavigator | undefined)?.gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}

export async function resolveBackend(choice: BackendChoice, runtimeUrl?: string): Promise<BackendName> {
  if (typeof WebAssembly === 'undefined') throw new RecognizerError('no-wasm', 'this browser has no WebAssembly');
  return pickBackend(choice, {
    isolated: threadsPossible(globalThis.crossOriginIsolated === true, runtimeUrl, globalThis.location?.origin),
    cores: (globalThis.navigator as GpuNavigator | undefined)?.hardwareConcurrency,
    // Asked only where WebGPU may be chosen: requesting an adapter is not free.
    webgpu: (choice === 'auto' || choice === 'webgpu') && (await hasWebGpu()),
  });
}

async function fetchVerified(manifestUrl: string, file: ModelFile): Promise<Uint8Array> {
  const url = resolveModelUrl(manifestUrl, file.path);
  const res = await fetchModelFile(url);
  const bytes = await res.arrayBuffer();
  checkModelBytes(file, bytes.byteLength, toHex(await crypto.subtle.digest('SHA-256', bytes)), url);
  return new Uint8Array(bytes);
}

export async function createWebLoader(
  manifest: Manifest,
  manifestUrl: string,
  choice: BackendChoice,
  wasmPaths?: WasmPaths,
): Promise<ModelLoader> {
  // Set before the first session: onnxruntime reads it once, when its runtime initialises.
  if (wasmPaths) ort.env.wasm.wasmPaths = { mjs: wasmPaths.mjs, wasm: wasmPaths.wasm };
  const backend = await resolveBackend(choice, wasmPaths?.mjs);
  const cores = (globalThis.navigator as GpuNavigator | undefined)?.hardwareConcurrency;
  ort.env.wasm.numThreads = backend === 'wasm-threaded' ? wasmThreads(true, cores) : 1;
  ort.env.wasm.simd = true;
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: backend === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'],
    graphOptimizationLevel: 'all',
  };
  const open = async (file: ModelFile): Promise<OrtSessionLike> => {
    const bytes = await fetchVerified(manifestUrl, file);
    try {
      return (await ort.InferenceSession.create(bytes, sessionOptions)) as unknown as OrtSessionLike;
    } catch (err) {
      throw new RecognizerError('model-corrupt', `${file.path}: onnxruntime cannot load it: ${String(err)}`);
    }
  };
  return {
    backend,
    async load(level: LevelInfo): Promise<LevelModels> {
      // Sequential on purpose: WASM session creation is not re-entrant-friendly while the runtime initialises.
      const encoder = await open(level.files.encoder);
      const predictor = await open(level.files.predictor);
      const joiner = await open(level.files.joiner);
      return ortLevelModels(level, { encoder, predictor, joiner }, tensor, manifest);
    },
    // The second pass's files are fetched only when a pass that needs them is chosen (recognizer.ts caches them).
    ...ortSecondPassLoaders(manifest, open, (f) => fetchVerified(manifestUrl, f), tensor),
  };
}

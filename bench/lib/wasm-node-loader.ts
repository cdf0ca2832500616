// onnxruntime-web's WASM backend running inside Node: the same runtime (and the same .wasm binary) the browser uses,
// so its per-chunk timings approximate the browser's single-thread WASM path without a browser in the loop.
// Bench-only: the app itself uses src/asr/backend.ts, whose Vite `?url` asset imports do not resolve in Node.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-web';
import type { LevelModels, ModelLoader } from '../../src/asr/engine';
import { checkModelBytes } from '../../src/asr/model-bytes';
import { ortLevelModels, type OrtSessionLike, type TensorFactory } from '../../src/asr/ort-runners';
import type { LevelInfo, Manifest, ModelFile } from '../../src/asr/types';

const tensor: TensorFactory = (type, data, dims) => new ort.Tensor(type, data, dims as number[]);

/** file:// URL of node_modules/onnxruntime-web/dist/ (with the trailing slash ort expects of a prefix). */
export function ortWebDistUrl(): string {
  const require = createRequire(import.meta.url);
  // The package's Node entry point lives in dist/ next to the .wasm files (package.json itself is not exported).
  return pathToFileURL(dirname(require.resolve('onnxruntime-web'))).href + '/';
}

export function createWasmNodeLoader(manifest: Manifest, manifestPath: string): ModelLoader {
  const dir = dirname(resolve(manifestPath));
  ort.env.wasm.wasmPaths = ortWebDistUrl();
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true;
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  const open = async (file: ModelFile): Promise<OrtSessionLike> => {
    const path = resolve(dir, file.path);
    const bytes = await readFile(path);
    checkModelBytes(file, bytes.length, createHash('sha256').update(bytes).digest('hex'), path);
    const session = await ort.InferenceSession.create(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), options);
    return session as unknown as OrtSessionLike;
  };
  return {
    backend: 'wasm',
    async load(level: LevelInfo): Promise<LevelModels> {
      // Sequential like the browser loader: the WASM runtime initialises on the first session.
      const encoder = await open(level.files.encoder);
      const predictor = await open(level.files.predictor);
      const joiner = await open(level.files.joiner);
      return ortLevelModels(level, { encoder, predictor, joiner }, tensor, manifest);
    },
  };
}

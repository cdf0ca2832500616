// onnxruntime-node backend for the CLI, the Node benchmark and integration tests. Reads model files from disk.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { LevelModels, ModelLoader } from './engine';
import { RecognizerError } from './errors';
import { parseManifest } from './manifest';
import { checkModelBytes } from './model-bytes';
import { ortLevelModels, ortSecondPassLoaders, type OrtSessionLike, type TensorFactory } from './ort-runners';
import type { LevelInfo, Manifest, ModelFile } from './types';

const tensor: TensorFactory = (type, data, dims) => new ort.Tensor(type, data, dims as number[]);

export async function readManifestFile(path: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new RecognizerError('model-missing', `cannot read ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RecognizerError('model-corrupt', `${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseManifest(json);
}

async function loadVerified(dir: string, file: ModelFile): Promise<Uint8Array> {
  const path = resolve(dir, file.path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new RecognizerError('model-missing', `cannot read ${path}: ${(err as Error).message}`);
  }
  checkModelBytes(file, bytes.length, createHash('sha256').update(bytes).digest('hex'), path);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

export interface NodeLoaderOptions {
  /** intra-op threads per session; the CLI default of 1 keeps results identical across machines */
  threads?: number;
}

export function createNodeLoader(manifest: Manifest, manifestPath: string, opts: NodeLoaderOptions = {}): ModelLoader {
  const dir = dirname(resolve(manifestPath));
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    intraOpNumThreads: opts.threads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  };
  const open = async (file: ModelFile): Promise<OrtSessionLike> => {
    const bytes = await loadVerified(dir, file);
    try {
      return (await ort.InferenceSession.create(bytes, sessionOptions)) as unknown as OrtSessionLike;
    } catch (err) {
      throw new RecognizerError('model-corrupt', `${file.path}: onnxruntime cannot load it: ${(err as Error).message}`);
    }
  };
  return {
    backend: 'node-cpu',
    async load(level: LevelInfo): Promise<LevelModels> {
      const [encoder, predictor, joiner] = await Promise.all([
        open(level.files.encoder),
        open(level.files.predictor),
        open(level.files.joiner),
      ]);
      return ortLevelModels(level, { encoder, predictor, joiner }, tensor, manifest);
    },
    // The second pass's files are fetched only when a pass that needs them is chosen (recognizer.ts caches them).
    ...ortSecondPassLoaders(manifest, open, (f) => loadVerified(dir, f), tensor),
  };
}


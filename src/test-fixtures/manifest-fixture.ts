// A valid manifest object (contracts §6) that tests mutate to probe validation.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const frontend: unknown = JSON.parse(readFileSync(fileURLToPath(new URL('../../models/frontend.json', import.meta.url)), 'utf8'));
const sha = 'a'.repeat(64);

export function level(id: string, sparsity: number, stateShape: number[] = [1, 16]): Record<string, unknown> {
  const file = (name: string) => ({ path: `levels/${id}/${name}.onnx`, sha256: sha, bytes: 10 });
  return {
    id,
    label: `${Math.round(sparsity * 100)} % sparse`,
    sparsity,
    granularity: 'structured',
    nonzeroParams: 1000,
    totalParams: 2000,
    bytes: { raw: 30, gzip: 20 },
    flopsPerSecond: 1e6,
    dev: { wer: 0.2, cer: null, set: 'synthetic' },
    files: { encoder: file('encoder'), predictor: file('predictor'), joiner: file('joiner') },
    state: [
      { name: 'att_mask', shape: stateShape, dtype: 'float32' },
      { name: 'step', shape: [1], dtype: 'int64' },
    ],
  };
}

export function manifestJson(): Record<string, unknown> {
  return {
    formatVersion: 1,
    name: 'test',
    createdBy: 'fixture',
    frontend: structuredClone(frontend),
    vocabulary: ['<blank>', ' ', "'", ...'abcdefghijklmnopqrstuvwxyz'],
    blankId: 0,
    featureDim: 80,
    subsampling: 4,
    segmentFrames: 16,
    lookaheadFrames: 4,
    chunkInputFrames: 20,
    encoderFramesPerChunk: 4,
    leftContextFrames: 16,
    padValue: Math.log(1e-6),
    contextSize: 2,
    maxSymbolsPerFrame: 5,
    joinerDim: 8,
    defaultLevel: 's0',
    levels: [level('s0', 0), level('s50', 0.5)],
  };
}

import { describe, expect, it } from 'vitest';
import type { TransducerModel } from '../../src/asr/decoder';
import type { EncoderModel, LevelModels } from '../../src/asr/engine';
import type { LevelInfo, Manifest } from '../../src/asr/types';
import { featurize, runUtterance, summarizeRuns } from './stream-run';

const J = 8;
const V = 29;

/** Encoder emitting 4 zero rows; joiner emitting token 3 once per utterance start (context all blank), else blank. */
function fakeModels(): LevelModels {
  const encoder: EncoderModel = {
    run: (_features, states) => Promise.resolve({ encoderOut: new Float32Array(4 * J), frames: 4, states: [...states] }),
  };
  const transducer: TransducerModel = {
    predictor: (context) => Promise.resolve(new Float32Array(J).fill(context.every((t) => t === 0) ? 1 : 0)),
    joiner: (_enc, pred, n) => {
      const logits = new Float32Array(n * V);
      for (let i = 0; i < n; i++) logits[i * V + (pred[i * J] === 1 ? 3 : 0)] = 1;
      return Promise.resolve(logits);
    },
  };
  const level = { id: 'x', sparsity: 0, state: [] } as unknown as LevelInfo;
  return { level, encoder, transducer, dispose: () => Promise.resolve() };
}

const manifest = {
  blankId: 0,
  contextSize: 2,
  maxSymbolsPerFrame: 5,
  vocabulary: new Array<string>(V).fill('a'),
  segmentFrames: 16,
  chunkInputFrames: 20,
  encoderFramesPerChunk: 4,
  subsampling: 4,
  featureDim: 80,
  padValue: -13.8,
} as unknown as Manifest;

/** A clock that advances 1 ms per reading makes every measured span a count of clock reads. */
function tickingClock(): () => number {
  let t = 0;
  return () => t++;
}

describe('runUtterance', () => {
  it('cuts chunks like the recognizer and accounts for every ONNX call', async () => {
    const frames = Array.from({ length: 70 }, () => new Float32Array(80));
    const run = await runUtterance(fakeModels(), manifest, frames, tickingClock());
    // 4 full windows (starts 0, 16, 32, 48 need <= 68 frames) + 1 padded end-of-stream chunk for the last 6.
    expect(run.chunks).toHaveLength(5);
    expect(run.tokens).toEqual([3]);
    expect(run.chunks.map((c) => c.emissions)).toEqual([1, 0, 0, 0, 0]);
    for (const c of run.chunks) {
      expect(c.encoderMs).toBe(1);
      expect(c.computeMs).toBeGreaterThan(c.encoderMs + c.predictorMs + c.joinerMs);
    }
    expect(run.chunks[0]?.joinerCalls).toBeGreaterThanOrEqual(2);
  });
});

describe('summarizeRuns', () => {
  it('derives percentiles, rtf and a breakdown that adds up', async () => {
    const frames = Array.from({ length: 70 }, () => new Float32Array(80));
    const runs = [await runUtterance(fakeModels(), manifest, frames, tickingClock())];
    const s = summarizeRuns(runs, 700);
    const total = runs[0]!.chunks.reduce((a, c) => a + c.computeMs, 0);
    expect(s.chunks).toBe(5);
    expect(s.rtf).toBeCloseTo(total / 700, 5);
    const b = s.breakdown;
    expect(b.encoderMsPerChunk + b.predictorMsPerChunk + b.joinerMsPerChunk + b.otherMsPerChunk).toBeCloseTo(total / 5, 3);
    expect(s.chunkMsP95).toBeGreaterThanOrEqual(s.chunkMsP50);
  });
});

describe('featurize', () => {
  it('yields one frame per hop after the first window, at any input rate', async () => {
    const { parseManifest } = await import('../../src/asr/manifest');
    const { readFileSync } = await import('node:fs');
    const real = parseManifest(JSON.parse(readFileSync(new URL('../../models/manifest.json', import.meta.url), 'utf8')));
    const oneSecond = new Float32Array(48000).map((_, i) => Math.sin(i / 10) * 0.1);
    const f = featurize([oneSecond], 48000, real.frontend, 16, tickingClock());
    expect(f.audioMs).toBe(1000);
    // 16000 samples -> floor((16000 - 400) / 160) + 1 = 98 frames (resampler tail may shift it by one)
    expect(Math.abs(f.frames.length - 98)).toBeLessThanOrEqual(1);
    expect(f.blockMs.length).toBe(Math.ceil(48000 / 7680));
  });
});

import { describe, expect, it } from 'vitest';
import { percentile, summarizeFinalLatency, summarizeMeasurement } from './latencyStats';

describe('percentile', () => {
  it('uses nearest rank and rejects p outside [0, 1]', () => {
    const v = [10, 2, 8, 4, 6, 1, 3, 5, 7, 9];
    expect(percentile(v, 0.5)).toBe(5);
    expect(percentile(v, 0.95)).toBe(10);
    expect(percentile(v, 0)).toBe(1);
    expect(percentile([], 0.5)).toBeNaN();
    expect(() => percentile(v, 95)).toThrow(RangeError);
  });
});

describe('summarizeMeasurement', () => {
  it('computes p50/p95 over chunks and RTF from totals', () => {
    const s = summarizeMeasurement({
      level: 's50',
      backend: 'wasm',
      loadMs: 120,
      warmupChunks: 2,
      chunkMs: [20, 40, 30, 100],
      chunkAudioMs: [160, 160, 160, 160],
    });
    expect(s).toEqual({ level: 's50', backend: 'wasm', chunks: 4, p50Ms: 30, p95Ms: 100, rtf: 190 / 640, loadMs: 120 });
  });
  it('has NaN statistics for a measurement without chunks', () => {
    const s = summarizeMeasurement({ level: 'x', backend: 'wasm', loadMs: 1, warmupChunks: 0, chunkMs: [], chunkAudioMs: [] });
    expect(s.p50Ms).toBeNaN();
    expect(s.rtf).toBeNaN();
  });
});

describe('summarizeFinalLatency', () => {
  it('groups endpoint -> final latencies by text source with mean, p95 and the latest', () => {
    const s = summarizeFinalLatency([
      { pass: 'whisper', ms: 900 },
      { pass: 'stream', ms: 1 },
      { pass: 'whisper', ms: 1500 },
      { pass: 'whisper', ms: 1200 },
    ]);
    expect(s).toEqual([
      { pass: 'whisper', count: 3, meanMs: 1200, p95Ms: 1500, lastMs: 1200 },
      { pass: 'stream', count: 1, meanMs: 1, p95Ms: 1, lastMs: 1 },
    ]);
    expect(summarizeFinalLatency([])).toEqual([]);
  });
});

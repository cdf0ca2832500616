import { describe, expect, it } from 'vitest';
import type { ChunkMetrics } from '../asr/types';
import { percentile, summarizeMetrics, summarizeOnsetLatency } from './metricsSummary';

const m = (level: string, computeMs: number): ChunkMetrics => ({
  level, backend: 'wasm', computeMs, audioMs: 160, rtf: 0, modelBytes: 1,
});

describe('percentile', () => {
  it('uses nearest rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 0.95)).toBe(5);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe('summarizeMetrics', () => {
  it('is empty for no history', () => {
    expect(summarizeMetrics([])).toEqual({ latest: null, perLevel: [] });
  });
  it('groups by level in first-seen order and computes RTF from totals', () => {
    const s = summarizeMetrics([m('s0', 40), m('s0', 80), m('s80', 16), m('s0', 60)]);
    expect(s.latest?.computeMs).toBe(60);
    expect(s.perLevel.map((l) => l.level)).toEqual(['s0', 's80']);
    const s0 = s.perLevel[0]!;
    expect(s0.chunks).toBe(3);
    expect(s0.meanComputeMs).toBe(60);
    expect(s0.p95ComputeMs).toBe(80);
    expect(s0.rtf).toBeCloseTo(180 / 480);
    expect(s.perLevel[1]!.rtf).toBeCloseTo(0.1);
  });
});

describe('summarizeOnsetLatency', () => {
  it('shows the latest utterance and the session median (nearest rank)', () => {
    expect(summarizeOnsetLatency([])).toEqual({ lastMs: null, medianMs: null, count: 0 });
    expect(summarizeOnsetLatency([300, 180, 240, 210])).toEqual({ lastMs: 210, medianMs: 210, count: 4 });
  });
});

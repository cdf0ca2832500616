import { describe, expect, it } from 'vitest';
import type { ChunkMetrics } from '../asr/types';
import { percentile, summarizeMetrics } from './metricsSummary';

const m = (level: string, computeMs: number, firstTokenMs: number | null = null): ChunkMetrics => ({
  level, backend: 'wasm', computeMs, audioMs: 160, rtf: 0, firstTokenMs, modelBytes: 1,
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
    expect(summarizeMetrics([])).toEqual({ latest: null, firstTokenMs: null, perLevel: [] });
  });
  it('groups by level in first-seen order and computes RTF from totals', () => {
    const s = summarizeMetrics([m('s0', 40, 300), m('s0', 80), m('s80', 16), m('s0', 60)]);
    expect(s.latest?.computeMs).toBe(60);
    expect(s.firstTokenMs).toBe(300);
    expect(s.perLevel.map((l) => l.level)).toEqual(['s0', 's80']);
    const s0 = s.perLevel[0]!;
    expect(s0.chunks).toBe(3);
    expect(s0.meanComputeMs).toBe(60);
    expect(s0.p95ComputeMs).toBe(80);
    expect(s0.rtf).toBeCloseTo(180 / 480);
    expect(s.perLevel[1]!.rtf).toBeCloseTo(0.1);
  });
});

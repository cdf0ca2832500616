import { describe, expect, it } from 'vitest';
import { fakeLevel } from '../store/fakeClient';
import type { LevelLatencySummary } from '../store/latencyStats';
import { bubbleRadius, chartPoints, compareRows } from './compareRows';

const measured = (level: string, p50Ms: number): LevelLatencySummary => ({
  level, backend: 'wasm', chunks: 30, p50Ms, p95Ms: p50Ms * 1.5, rtf: p50Ms / 160, loadMs: 10,
});

// fakeLevel: WER 0.1 + sparsity / 5, gzip 3.6 MB x (1 - sparsity)
const levels = [fakeLevel('s0', 0), fakeLevel('s50', 0.5), fakeLevel('s80', 0.8)];

describe('compareRows', () => {
  it('joins model-card numbers with measurements by level id', () => {
    const rows = compareRows(levels, [measured('s80', 5), measured('s0', 40)]);
    expect(rows.map((r) => [r.id, r.wer, r.measured?.p50Ms ?? null])).toEqual([
      ['s0', 0.1, 40],
      ['s50', 0.2, null],
      ['s80', 0.26, 5],
    ]);
    expect(rows[1]!.gzipBytes).toBe(1_800_000);
  });
});

describe('chartPoints', () => {
  it('on the latency axis draws measured levels only, with the size as bubble', () => {
    const pts = chartPoints(compareRows(levels, [measured('s0', 40), measured('s80', 5)]), 'latency');
    expect(pts.map((p) => [p.row.id, p.x, p.size])).toEqual([['s0', 40, 3.6], ['s80', 5, 0.72]]);
  });

  it('marks the Pareto front over (x, WER)', () => {
    // s50 is slower than s0 and less accurate: dominated
    const pts = chartPoints(compareRows(levels, [measured('s0', 40), measured('s50', 60), measured('s80', 5)]), 'latency');
    expect(pts.map((p) => [p.row.id, p.pareto])).toEqual([['s0', true], ['s50', false], ['s80', true]]);
    // by size, smaller is also less accurate for every level: all on the front
    expect(chartPoints(compareRows(levels, []), 'size').every((p) => p.pareto)).toBe(true);
  });

  it('draws levels without WER but keeps them off the front', () => {
    const noWer = levels.map((l) => ({ ...l, dev: { ...l.dev, wer: null } }));
    const pts = chartPoints(compareRows(noWer, []), 'size');
    expect(pts).toHaveLength(3);
    expect(pts.every((p) => p.y === null && !p.pareto)).toBe(true);
  });
});

describe('bubbleRadius', () => {
  it('scales area with the value, clamped to the minimum', () => {
    expect(bubbleRadius(4, [1, 4], 5, 16)).toBe(16);
    expect(bubbleRadius(1, [1, 4], 5, 16)).toBe(8);
    expect(bubbleRadius(0.01, [0.01, 4], 5, 16)).toBe(5);
    expect(bubbleRadius(null, [1], 5, 16)).toBe(5);
  });
});

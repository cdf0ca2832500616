import { describe, expect, it } from 'vitest';
import { summarizeWindows, windowOf, windowTable } from './long-run';

const mem = (rssMb: number, heapUsedMb = 10) => ({ rssMb, heapUsedMb, externalMb: 1, arrayBuffersMb: 0.5 });

describe('long-run windows', () => {
  it('takes nearest-rank percentiles of the window chunks', () => {
    const w = windowOf(5, 30, [1, 2, 3, 4, 100], 7, mem(200));
    expect(w).toMatchObject({ chunks: 5, chunkP50: 3, chunkP95: 100, finals: 7, rssMb: 200 });
  });

  it('measures growth and drift against the first window, and the largest later RSS step', () => {
    const ws = [
      windowOf(5, 30, [2, 2, 4], 1, mem(200, 10)),
      windowOf(10, 60, [2, 2, 4], 2, mem(230, 12)), // warm-up step: not a later step
      windowOf(15, 90, [3, 3, 5], 3, mem(235, 11)),
      windowOf(20, 120, [3, 3, 6], 4, mem(232, 13)),
    ];
    expect(summarizeWindows(ws)).toEqual({
      windows: 4, rssGrowthMb: 32, heapGrowthMb: 3, p50Drift: 1.5, p95Drift: 1.5, maxRssStepMb: 5, rtf: 0.1,
    });
    expect(windowTable(ws).split('\n')).toHaveLength(5);
  });

  it('refuses a run too short to compare', () => {
    expect(() => summarizeWindows([windowOf(5, 30, [1], 0, mem(1))])).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import { dominates, paretoFront } from './pareto';

describe('dominates', () => {
  it('needs no-worse on both axes and better on one', () => {
    expect(dominates({ x: 1, y: 1 }, { x: 2, y: 2 })).toBe(true);
    expect(dominates({ x: 1, y: 2 }, { x: 2, y: 2 })).toBe(true);
    expect(dominates({ x: 1, y: 3 }, { x: 2, y: 2 })).toBe(false);
    expect(dominates({ x: 2, y: 2 }, { x: 2, y: 2 })).toBe(false);
  });
});

describe('paretoFront', () => {
  it('keeps the trade-off curve, drops dominated points, orders by x', () => {
    // dense: slow + accurate; sparse: fast + worse; index 2 is slower AND worse than index 1
    const pts = [
      { x: 50, y: 0.1 },
      { x: 20, y: 0.15 },
      { x: 30, y: 0.2 },
      { x: 10, y: 0.3 },
    ];
    expect(paretoFront(pts)).toEqual([3, 1, 0]);
  });
  it('keeps exact ties and skips points with unknown coordinates', () => {
    expect(paretoFront([{ x: 1, y: 1 }, { x: 1, y: 1 }, { x: 2, y: 2 }])).toEqual([0, 1]);
    expect(paretoFront([{ x: 1, y: Number.NaN }, { x: 5, y: 0.2 }])).toEqual([1]);
    expect(paretoFront([])).toEqual([]);
  });
  it('a single best point is the whole front', () => {
    expect(paretoFront([{ x: 3, y: 3 }, { x: 1, y: 1 }, { x: 2, y: 5 }])).toEqual([1]);
  });
});

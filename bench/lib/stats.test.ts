import { describe, expect, it } from 'vitest';
import { mean, percentile, round, sum } from './stats';

describe('percentile (nearest rank)', () => {
  it('returns observed values', () => {
    const v = [5, 1, 4, 2, 3];
    expect(percentile(v, 50)).toBe(3);
    expect(percentile(v, 95)).toBe(5);
    expect(percentile(v, 0)).toBe(1);
    expect(percentile(v, 100)).toBe(5);
  });
  it('p95 of 1..100 is 95', () => {
    const v = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(v, 95)).toBe(95);
    expect(percentile(v, 50)).toBe(50);
  });
  it('is NaN for no samples and rejects bad p', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
  it('does not reorder its input', () => {
    const v = [3, 1, 2];
    percentile(v, 50);
    expect(v).toEqual([3, 1, 2]);
  });
});

describe('sum / mean / round', () => {
  it('computes', () => {
    expect(sum([1, 2, 3.5])).toBe(6.5);
    expect(mean([1, 2, 3])).toBe(2);
    expect(mean([])).toBeNaN();
    expect(round(1.23456, 2)).toBe(1.23);
  });
});

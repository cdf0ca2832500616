import { describe, expect, it } from 'vitest';
import { extent, linearScale, niceDomain, niceStep, niceTicks } from './scale';

describe('niceStep', () => {
  it('picks 1/2/5 x 10^k', () => {
    expect(niceStep(10, 5)).toBe(2);
    expect(niceStep(7, 5)).toBe(2);
    expect(niceStep(0.3, 5)).toBeCloseTo(0.1);
    expect(niceStep(230, 5)).toBe(50);
    expect(niceStep(0, 5)).toBe(1);
  });
});

describe('niceDomain', () => {
  it('widens to whole steps', () => {
    expect(niceDomain(3.2, 47.9)).toEqual([0, 50]);
    expect(niceDomain(0.12, 0.31)).toEqual([0.1, 0.35]);
  });
  it('gives a degenerate range some room, and survives garbage', () => {
    const [a, b] = niceDomain(5, 5);
    expect(a).toBeLessThan(5);
    expect(b).toBeGreaterThan(5);
    expect(niceDomain(0, 0)).toEqual([-1, 1]);
    expect(niceDomain(Number.NaN, 3)).toEqual([0, 1]);
  });
});

describe('niceTicks', () => {
  it('lists the steps inside the domain without float noise', () => {
    expect(niceTicks(0, 50)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(niceTicks(0.1, 0.35)).toEqual([0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
    expect(niceTicks(1.5, 9.1)).toEqual([2, 4, 6, 8]);
  });
});

describe('linearScale', () => {
  it('maps the domain onto the range, inverted ranges included (SVG y grows downward)', () => {
    const y = linearScale([0, 10], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(10)).toBe(0);
    expect(y(2.5)).toBe(150);
    expect(linearScale([3, 3], [0, 100])(3)).toBe(0);
  });
});

describe('extent', () => {
  it('ignores non-finite values', () => {
    expect(extent([3, Number.NaN, 1, 7])).toEqual([1, 7]);
    expect(extent([Number.NaN])).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { sparklinePoints } from './sparkline';

describe('sparklinePoints', () => {
  it('is empty without values', () => {
    expect(sparklinePoints([], 100, 10, 160)).toEqual({ points: '', realtimeY: null });
  });
  it('scales to the maximum and places the real-time line when in range', () => {
    const r = sparklinePoints([0, 200], 100, 10, 160);
    expect(r.points).toBe('0.0,10.0 100.0,0.0');
    expect(r.realtimeY).toBeCloseTo(2);
  });
  it('hides the real-time line when all chunks are far faster than real time', () => {
    const r = sparklinePoints([10, 20], 100, 10, 160);
    expect(r.realtimeY).toBeNull();
    expect(r.points).toBe('0.0,7.5 100.0,5.0'); // floor of realtime/4 keeps noise from filling the chart
  });
});

// Geometry of the compute-time sparkline, separated from the SVG so it can be tested.

/**
 * Maps values to an SVG polyline in a w×h box (y grows downwards). The scale covers max(values, realtime) so the
 * real-time reference line is visible whenever values approach it; realtimeY is null when it is off the chart.
 */
export function sparklinePoints(
  values: readonly number[],
  w: number,
  h: number,
  realtime: number,
): { points: string; realtimeY: number | null } {
  if (values.length === 0) return { points: '', realtimeY: null };
  const top = Math.max(...values, 1e-9);
  const scale = Math.max(top, realtime * 0.25);
  const y = (v: number) => h - (v / scale) * h;
  const dx = values.length > 1 ? w / (values.length - 1) : 0;
  const points = values.map((v, i) => `${(i * dx).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  return { points, realtimeY: realtime <= scale ? y(realtime) : null };
}

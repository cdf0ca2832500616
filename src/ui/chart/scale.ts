// Axis maths for the hand-written SVG charts: "nice" tick steps (1, 2, 5 x 10^k) and linear scales. Pure.

/** The 1/2/5 x 10^k step that gives about `count` intervals over `span`. */
export function niceStep(span: number, count = 5): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** Widens [min, max] outward to whole steps; a degenerate range gets a unit of room so points are not on an edge. */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max - min <= 0) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.5;
    return niceDomain(min - pad, max + pad, count);
  }
  const step = niceStep(max - min, count);
  return [roundToStep(Math.floor(min / step) * step, step), roundToStep(Math.ceil(max / step) * step, step)];
}

/** Strips float noise below the step's precision (0.35000000000000003 → 0.35). */
function roundToStep(v: number, step: number): number {
  return Number(v.toFixed(Math.max(0, -Math.floor(Math.log10(step)))));
}

/** Tick values at whole steps inside [min, max], free of float noise (0.30000000000000004 → 0.3). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  const step = niceStep(max - min, count);
  const ticks: number[] = [];
  // integer multiples of the step: accumulating v += step would drift
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) ticks.push(roundToStep(k * step, step));
  return ticks;
}

export type Scale = (v: number) => number;

export function linearScale([d0, d1]: [number, number], [r0, r1]: [number, number]): Scale {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** [min, max] of the finite values, or null if there are none. */
export function extent(values: readonly number[]): [number, number] | null {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? null : [Math.min(...finite), Math.max(...finite)];
}

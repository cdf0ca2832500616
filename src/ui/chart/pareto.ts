// Pareto front for "smaller is better" on both axes (latency or size vs WER): the levels no other level beats on
// one axis without losing on the other. These are the only levels worth picking; the rest are dominated.

export interface XY {
  x: number;
  y: number;
}

/** q dominates p: no worse on both axes and strictly better on at least one. */
export function dominates(q: XY, p: XY): boolean {
  return q.x <= p.x && q.y <= p.y && (q.x < p.x || q.y < p.y);
}

/**
 * Indices of the non-dominated points (points with a non-finite coordinate take no part), ordered by x then y so
 * they can be joined into the front's staircase. O(n^2): a manifest has ~10 levels.
 */
export function paretoFront(points: readonly XY[]): number[] {
  const usable = points.map((p, i) => ({ p, i })).filter(({ p }) => Number.isFinite(p.x) && Number.isFinite(p.y));
  return usable
    .filter(({ p }) => !usable.some(({ p: q }) => dominates(q, p)))
    .sort((a, b) => a.p.x - b.p.x || a.p.y - b.p.y)
    .map(({ i }) => i);
}

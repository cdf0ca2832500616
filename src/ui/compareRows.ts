// Joins the manifest's levels (model card: size, params, dev WER) with the on-device measurements into the Compare
// view's table rows and chart points. Pure, so unit-tested; the components only draw.
import type { LevelInfo } from '../asr/types';
import type { LevelLatencySummary } from '../store/latencyStats';
import { paretoFront } from './chart/pareto';

export interface CompareRow {
  id: string;
  label: string;
  sparsity: number;
  params: number;
  gzipBytes: number;
  /** dev WER from the manifest (the model card); null when the recipe did not evaluate the level */
  wer: number | null;
  measured: LevelLatencySummary | null;
}

export function compareRows(levels: readonly LevelInfo[], results: readonly LevelLatencySummary[]): CompareRow[] {
  const byLevel = new Map(results.map((r) => [r.level, r]));
  return levels.map((l) => ({
    id: l.id,
    label: l.label,
    sparsity: l.sparsity,
    params: l.nonzeroParams,
    gzipBytes: l.bytes.gzip,
    wer: l.dev.wer,
    measured: byLevel.get(l.id) ?? null,
  }));
}

/** What the x axis shows; the bubble size then shows the other quantity. */
export type XAxis = 'latency' | 'size';

export interface ChartPoint {
  row: CompareRow;
  /** p50 chunk ms (latency axis) or MB gzip (size axis) */
  x: number;
  /** WER as a fraction; null = unknown (drawn in a separate band) */
  y: number | null;
  /** what the bubble area encodes (MB on the latency axis, p50 ms on the size axis); null = not measured */
  size: number | null;
  pareto: boolean;
}

function xOf(row: CompareRow, axis: XAxis): number | null {
  if (axis === 'size') return row.gzipBytes / 1e6;
  const p50 = row.measured?.p50Ms;
  return p50 !== undefined && Number.isFinite(p50) ? p50 : null;
}

function sizeOf(row: CompareRow, axis: XAxis): number | null {
  return xOf(row, axis === 'latency' ? 'size' : 'latency');
}

/** Levels that have an x value; the Pareto front is over (x, WER), i.e. (latency, WER) or (bytes, WER). */
export function chartPoints(rows: readonly CompareRow[], axis: XAxis): ChartPoint[] {
  const drawn = rows.flatMap((row) => {
    const x = xOf(row, axis);
    return x === null ? [] : [{ row, x, y: row.wer, size: sizeOf(row, axis), pareto: false }];
  });
  const front = new Set(paretoFront(drawn.map((p) => ({ x: p.x, y: p.y ?? Number.NaN }))));
  return drawn.map((p, i) => ({ ...p, pareto: front.has(i) }));
}

/** Bubble radius: area proportional to the value, between minR and maxR px over the values present. */
export function bubbleRadius(value: number | null, all: readonly (number | null)[], minR = 5, maxR = 15): number {
  const known = all.filter((v): v is number => v !== null && Number.isFinite(v) && v > 0);
  if (value === null || !(value > 0) || known.length === 0) return minR;
  const max = Math.max(...known);
  return Math.max(minR, maxR * Math.sqrt(value / max));
}

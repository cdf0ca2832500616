// Aggregates the per-chunk metrics history into what the panel shows, notably latency per sparsity level, which is
// the comparison people open the app for.
import type { ChunkMetrics } from '../asr/types';

export interface LevelLatency {
  level: string;
  chunks: number;
  meanComputeMs: number;
  p95ComputeMs: number;
  /** total compute / total audio over this level's chunks */
  rtf: number;
}

export interface MetricsSummary {
  latest: ChunkMetrics | null;
  firstTokenMs: number | null;
  perLevel: LevelLatency[];
}

/** Nearest-rank percentile of an unsorted list (p in [0, 1]); NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

export function summarizeMetrics(history: readonly ChunkMetrics[]): MetricsSummary {
  const byLevel = new Map<string, ChunkMetrics[]>();
  let firstTokenMs: number | null = null;
  for (const m of history) {
    const list = byLevel.get(m.level) ?? [];
    list.push(m);
    byLevel.set(m.level, list);
    if (m.firstTokenMs !== null) firstTokenMs = m.firstTokenMs;
  }
  const perLevel = [...byLevel].map(([level, ms]): LevelLatency => {
    const compute = ms.map((m) => m.computeMs);
    const total = compute.reduce((a, b) => a + b, 0);
    const audio = ms.reduce((a, m) => a + m.audioMs, 0);
    return {
      level,
      chunks: ms.length,
      meanComputeMs: total / ms.length,
      p95ComputeMs: percentile(compute, 0.95),
      rtf: audio > 0 ? total / audio : Number.NaN,
    };
  });
  return { latest: history.at(-1) ?? null, firstTokenMs, perLevel };
}

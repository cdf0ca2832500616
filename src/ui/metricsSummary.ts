// Aggregates the per-chunk metrics history into what the panel shows, notably latency per sparsity level, which is
// the comparison people open the app for.
import type { ChunkMetrics } from '../asr/types';
import { percentile } from '../store/latencyStats';

export { percentile };

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

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
  perLevel: LevelLatency[];
}

export interface OnsetLatencySummary {
  /** the latest utterance's speech onset -> first text on screen */
  lastMs: number | null;
  medianMs: number | null;
  count: number;
}

/** Speech onset -> first text on screen over this session's utterances (values from the store, oldest first). */
export function summarizeOnsetLatency(ms: readonly number[]): OnsetLatencySummary {
  return { lastMs: ms.at(-1) ?? null, medianMs: ms.length > 0 ? percentile(ms, 0.5) : null, count: ms.length };
}

export function summarizeMetrics(history: readonly ChunkMetrics[]): MetricsSummary {
  const byLevel = new Map<string, ChunkMetrics[]>();
  for (const m of history) {
    const list = byLevel.get(m.level) ?? [];
    list.push(m);
    byLevel.set(m.level, list);
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
  return { latest: history.at(-1) ?? null, perLevel };
}

// Statistics of the Compare view's per-level measurements. Nearest-rank percentiles: every reported value is a
// latency that was actually observed, which keeps p95 honest on the ~30 chunks one measurement yields.
import type { LevelMeasurement } from '../asr/measure';
import type { FinalTextSource } from '../asr/types';

/** Nearest-rank percentile of an unsorted list (p in [0, 1]); NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile ${p} is outside [0, 1]`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

export interface LevelLatencySummary {
  level: string;
  backend: string;
  chunks: number;
  p50Ms: number;
  p95Ms: number;
  /** total chunk compute / total audio of the timed chunks */
  rtf: number;
  loadMs: number;
}

export function summarizeMeasurement(m: LevelMeasurement): LevelLatencySummary {
  const compute = m.chunkMs.reduce((a, b) => a + b, 0);
  const audio = m.chunkAudioMs.reduce((a, b) => a + b, 0);
  return {
    level: m.level,
    backend: m.backend,
    chunks: m.chunkMs.length,
    p50Ms: percentile(m.chunkMs, 0.5),
    p95Ms: percentile(m.chunkMs, 0.95),
    rtf: audio > 0 ? compute / audio : Number.NaN,
    loadMs: m.loadMs,
  };
}

/** One final line's endpoint -> final latency (the 'final' event's finalLatencyMs) and where its text came from. */
export interface FinalLatencyRecord {
  pass: FinalTextSource;
  ms: number;
}

export interface FinalLatencySummary {
  pass: FinalTextSource;
  count: number;
  meanMs: number;
  p95Ms: number;
  lastMs: number;
}

/**
 * Endpoint -> final line per text source, in first-seen order. Grouped by where the text came from because that is
 * what the cost depends on: a streaming final is ready at once, a Whisper final waits for its decoder.
 */
export function summarizeFinalLatency(records: readonly FinalLatencyRecord[]): FinalLatencySummary[] {
  const bySource = new Map<FinalTextSource, number[]>();
  for (const r of records) {
    const list = bySource.get(r.pass) ?? [];
    list.push(r.ms);
    bySource.set(r.pass, list);
  }
  return [...bySource].map(([pass, ms]) => ({
    pass,
    count: ms.length,
    meanMs: ms.reduce((a, b) => a + b, 0) / ms.length,
    p95Ms: percentile(ms, 0.95),
    lastMs: ms[ms.length - 1]!,
  }));
}

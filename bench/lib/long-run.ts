// Windows of a long run (bench/long-run.ts): memory and per-chunk latency sampled every few minutes of audio, and the
// two verdicts the reliability table reports - does memory stay flat, does latency drift.

import { percentile, round } from './stats';

export interface MemorySample {
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
  arrayBuffersMb: number;
}

export interface Window extends MemorySample {
  /** audio minutes consumed at the end of this window */
  audioMin: number;
  wallS: number;
  chunks: number;
  chunkP50: number;
  chunkP95: number;
  /** final lines so far */
  finals: number;
  /** app runs: final lines in the DOM (the transcript pane renders a bounded window of them) */
  linesOnScreen?: number;
}

export interface LongRunSummary {
  windows: number;
  /** end minus the first window (the first window carries the warm-up: JIT, allocator, session arenas) */
  rssGrowthMb: number;
  heapGrowthMb: number;
  /** the last window's chunk p50 over the first's */
  p50Drift: number;
  p95Drift: number;
  /** largest RSS step between consecutive windows after the first */
  maxRssStepMb: number;
  rtf: number;
}

/** One window from the compute ms of the chunks it saw. */
export function windowOf(audioMin: number, wallS: number, chunkMs: readonly number[], finals: number, mem: MemorySample): Window {
  return {
    audioMin: round(audioMin, 2),
    wallS: round(wallS, 1),
    chunks: chunkMs.length,
    chunkP50: round(percentile(chunkMs, 50), 2),
    chunkP95: round(percentile(chunkMs, 95), 2),
    finals,
    rssMb: round(mem.rssMb, 1),
    heapUsedMb: round(mem.heapUsedMb, 1),
    externalMb: round(mem.externalMb, 1),
    arrayBuffersMb: round(mem.arrayBuffersMb, 1),
  };
}

export function summarizeWindows(ws: readonly Window[]): LongRunSummary {
  if (ws.length < 2) throw new RangeError(`a long run needs at least 2 windows to compare, got ${ws.length}`);
  const first = ws[0]!;
  const last = ws[ws.length - 1]!;
  let maxStep = 0;
  for (let i = 2; i < ws.length; i++) maxStep = Math.max(maxStep, ws[i]!.rssMb - ws[i - 1]!.rssMb);
  return {
    windows: ws.length,
    rssGrowthMb: round(last.rssMb - first.rssMb, 1),
    heapGrowthMb: round(last.heapUsedMb - first.heapUsedMb, 1),
    p50Drift: round(last.chunkP50 / first.chunkP50, 3),
    p95Drift: round(last.chunkP95 / first.chunkP95, 3),
    maxRssStepMb: round(maxStep, 1),
    rtf: round(last.wallS / (last.audioMin * 60), 4),
  };
}

export function windowTable(ws: readonly Window[]): string {
  const head = 'audio min | wall s | chunks | chunk p50 ms | p95 ms | finals | RSS MB | heap MB | external MB';
  const rows = ws.map((w) =>
    [w.audioMin.toFixed(1), w.wallS.toFixed(0), w.chunks, w.chunkP50.toFixed(2), w.chunkP95.toFixed(2), w.finals,
      w.rssMb.toFixed(1), w.heapUsedMb.toFixed(1), w.externalMb.toFixed(1)].join(' | '));
  return [head, ...rows].join('\n');
}

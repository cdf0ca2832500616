// The result file shape (bench/results/latest.json) and the printed table / target ratios. Pure.

import type { FinalPassLatency } from './final-pass-run';
import type { Breakdown } from './stream-run';

/** The per-level entry the brief asks for, plus the breakdown and context fields after `peakRssMb`. */
export interface LevelResult {
  id: string;
  sparsity: number;
  chunkMsP50: number;
  chunkMsP95: number;
  rtf: number;
  loadMs: number;
  /** sum of the three ONNX files (manifest levels[i].bytes.raw) */
  bytes: number;
  /** process RSS high-water mark (maxRSS) of the fresh child that ran only this level */
  peakRssMb: number;
  /** the same high-water mark just before the models were loaded (Node + runtime + audio baseline) */
  rssBeforeLoadMb: number;
  /** JS front end (resampler + log-mel) per 160 ms of input audio, mean */
  frontendMsPerChunk: number;
  breakdown: Breakdown;
  chunksPerRun: number;
  tokensPerRun: number;
  /**
   * A level switch from cache onto this level: wall ms of replaying the manifest's left context (`replayFrames`
   * feature frames) through a fresh session (src/asr/replay.ts), median of the timed repeats; `switchReplayMsMax` the
   * slowest. Absent in results written before switches replayed.
   */
  switchReplayMs?: number;
  switchReplayMsMax?: number;
  replayFrames?: number;
  /** dense level only: endpoint -> final line per second pass this runtime can run (bench/lib/final-pass-run.ts) */
  finalPasses?: FinalPassLatency[];
}

export interface RuntimeResult {
  runtime: string;
  machine: object;
  date: string;
  levels: LevelResult[];
}

export interface Ratios {
  denseId: string;
  sparsestId: string;
  /** dense chunk p50 / sparsest chunk p50; the target is >= 4 */
  denseOverSparsest: number;
  denseRtf: number;
}

export function ratios(levels: readonly LevelResult[]): Ratios | null {
  if (levels.length === 0) return null;
  const bySparsity = [...levels].sort((a, b) => a.sparsity - b.sparsity);
  const dense = bySparsity[0] as LevelResult;
  const sparsest = bySparsity[bySparsity.length - 1] as LevelResult;
  return {
    denseId: dense.id,
    sparsestId: sparsest.id,
    denseOverSparsest: Math.round((dense.chunkMsP50 / sparsest.chunkMsP50) * 100) / 100,
    denseRtf: dense.rtf,
  };
}

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const f = (v: number, d = 2): string => v.toFixed(d);

export function levelTable(levels: readonly LevelResult[]): string {
  return formatTable(
    ['level', 'sparsity', 'p50 ms', 'p95 ms', 'RTF', 'load ms', 'switch ms', 'MB', 'peakRSS MB', 'enc ms', 'pred ms', 'join ms', 'other ms', 'joins/chk', 'fe ms'],
    levels.map((l) => [
      l.id,
      f(l.sparsity),
      f(l.chunkMsP50),
      f(l.chunkMsP95),
      f(l.rtf, 4),
      f(l.loadMs, 0),
      l.switchReplayMs === undefined ? '-' : f(l.switchReplayMs, 1),
      f(l.bytes / 1e6),
      f(l.peakRssMb, 0),
      f(l.breakdown.encoderMsPerChunk),
      f(l.breakdown.predictorMsPerChunk),
      f(l.breakdown.joinerMsPerChunk),
      f(l.breakdown.otherMsPerChunk),
      f(l.breakdown.joinerCallsPerChunk, 1),
      f(l.frontendMsPerChunk),
    ]),
  );
}

export function ratioLine(r: Ratios | null, rtfTarget: number | null): string {
  if (!r) return 'no levels measured';
  const speed = `dense/sparsest chunk p50 (${r.denseId}/${r.sparsestId}) = ${r.denseOverSparsest.toFixed(2)}x (target >= 4x: ${r.denseOverSparsest >= 4 ? 'met' : 'NOT met'})`;
  const rtf = rtfTarget === null ? `dense RTF = ${r.denseRtf.toFixed(4)}` : `dense RTF = ${r.denseRtf.toFixed(4)} (target <= ${rtfTarget}: ${r.denseRtf <= rtfTarget ? 'met' : 'NOT met'})`;
  return `${speed}; ${rtf}`;
}

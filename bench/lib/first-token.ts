// End-to-end first-token latency in the real app, from what the in-page probe (app-probe.ts) recorded. Pure.
//
// Every time is the page's own clock (performance.now()). The speech onset is located in the audio the app's
// capture worklet actually delivered: the first non-silent sample, back-dated from its block's arrival by the samples
// that followed it in that block (they were captured in real time after it). What stays unobserved is the delay from
// the (fake) device to the worklet and on to the main thread, so the onset is placed that much too late and the
// latency here is a LOWER bound on the user-perceived one by that delay (typically tens of ms).

import { percentile, round } from './stats';
import { formatTable } from './report';

export interface ProbeTextEvent {
  /** when the MutationObserver saw the transcript change */
  mutationMs: number;
  /** the next animation frame after that change: when it can first be on screen */
  paintMs: number;
  partial: string;
  finals: number;
}

export interface ProbeOnsetBlock {
  arrivalMs: number;
  /** samples in the worklet block that held the first non-silent sample */
  length: number;
  /** index of that sample inside the block */
  index: number;
}

/** What the in-page probe records for one mic session (see app-probe.ts). */
export interface ProbeRecord {
  /** AudioContext rate of the capture worklet */
  sampleRate: number | null;
  clickMs: number | null;
  /** status pill became `listening` */
  listeningMs: number | null;
  firstBlockMs: number | null;
  blocks: number;
  /** captured samples before the first non-silent one (null until it arrives) */
  samplesBeforeOnset: number | null;
  onsetBlock: ProbeOnsetBlock | null;
  text: ProbeTextEvent[];
}

export type InvalidReason = 'no-listening' | 'no-onset-captured' | 'text-before-onset' | 'no-text-after-onset';

export interface RunAnalysis {
  valid: boolean;
  invalidReason: InvalidReason | null;
  /** first painted non-empty transcript − speech onset located in the captured audio (lower bound, see above) */
  firstTokenMs: number | null;
  /** the same first paint − (listening + lead silence): the naive estimate, for comparison */
  fromListeningMs: number | null;
  /** onset located in the audio − (listening + lead): how wrong the naive estimate's onset is */
  onsetVsListeningMs: number | null;
  /** lead silence the worklet actually received; < lead when audio played before the graph was connected */
  capturedLeadMs: number | null;
  listeningToFirstBlockMs: number | null;
  /** DOM change → next animation frame for the first token */
  mutationToPaintMs: number | null;
  /**
   * Diagnostic only, NOT a first-token latency: first transcript change painted after the onset block arrived,
   * − onset. When the model already shows text during silence this is merely "next update after the onset".
   */
  firstChangeAfterOnsetMs: number | null;
  captureSampleRate: number | null;
}

const nonEmpty = (e: ProbeTextEvent): boolean => e.partial.trim() !== '' || e.finals > 0;

/** Page time of the first non-silent sample, or null when none was captured. */
export function onsetPageMs(p: ProbeRecord): number | null {
  if (!p.onsetBlock || !p.sampleRate) return null;
  const after = p.onsetBlock.length - p.onsetBlock.index;
  return p.onsetBlock.arrivalMs - (after / p.sampleRate) * 1000;
}

function firstChangeAfter(p: ProbeRecord, onset: number | null): number | null {
  if (onset === null || !p.onsetBlock) return null;
  const arrival = p.onsetBlock.arrivalMs;
  const change = p.text.find((e) => e.mutationMs >= arrival);
  return change ? round(change.paintMs - onset, 1) : null;
}

export function analyzeRun(p: ProbeRecord, leadSeconds: number): RunAnalysis {
  const onset = onsetPageMs(p);
  const naiveOnset = p.listeningMs === null ? null : p.listeningMs + leadSeconds * 1000;
  const first = p.text.find(nonEmpty) ?? null;
  const base: RunAnalysis = {
    valid: false,
    invalidReason: null,
    firstTokenMs: null,
    fromListeningMs: null,
    onsetVsListeningMs: onset !== null && naiveOnset !== null ? round(onset - naiveOnset, 1) : null,
    capturedLeadMs: p.samplesBeforeOnset !== null && p.sampleRate ? round((p.samplesBeforeOnset / p.sampleRate) * 1000, 1) : null,
    listeningToFirstBlockMs: p.firstBlockMs !== null && p.listeningMs !== null ? round(p.firstBlockMs - p.listeningMs, 1) : null,
    mutationToPaintMs: first ? round(first.paintMs - first.mutationMs, 1) : null,
    firstChangeAfterOnsetMs: firstChangeAfter(p, onset),
    captureSampleRate: p.sampleRate,
  };
  if (naiveOnset === null) return { ...base, invalidReason: 'no-listening' };
  if (onset === null || !p.onsetBlock) return { ...base, invalidReason: 'no-onset-captured' };
  if (!first) return { ...base, invalidReason: 'no-text-after-onset' };
  // Text that changed before the onset block reached the page cannot come from the speech: the model emitted on
  // silence (an untrained placeholder does), so there is no first token to time.
  if (first.mutationMs < p.onsetBlock.arrivalMs) return { ...base, invalidReason: 'text-before-onset' };
  return {
    ...base,
    valid: true,
    firstTokenMs: round(first.paintMs - onset, 1),
    fromListeningMs: round(first.paintMs - naiveOnset, 1),
  };
}

export interface LevelSummary {
  level: string;
  sparsity: number;
  backend: string;
  runs: number;
  valid: number;
  /** over valid runs; null when none was valid */
  medianMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  fromListeningMedianMs: number | null;
  capturedLeadMedianMs: number | null;
  /** median of the diagnostic firstChangeAfterOnsetMs over all runs (valid or not) */
  firstChangeAfterOnsetMedianMs: number | null;
  invalidReasons: InvalidReason[];
  perRun: RunAnalysis[];
}

const median = (xs: number[]): number | null => (xs.length === 0 ? null : percentile(xs, 50));
const defined = (xs: (number | null)[]): number[] => xs.filter((x): x is number => x !== null);

export function summarizeLevel(level: string, sparsity: number, backend: string, runs: RunAnalysis[]): LevelSummary {
  const valid = runs.filter((r) => r.valid);
  const ms = defined(valid.map((r) => r.firstTokenMs));
  return {
    level,
    sparsity,
    backend,
    runs: runs.length,
    valid: valid.length,
    medianMs: median(ms),
    minMs: ms.length ? Math.min(...ms) : null,
    maxMs: ms.length ? Math.max(...ms) : null,
    fromListeningMedianMs: median(defined(valid.map((r) => r.fromListeningMs))),
    capturedLeadMedianMs: median(defined(runs.map((r) => r.capturedLeadMs))),
    firstChangeAfterOnsetMedianMs: median(defined(runs.map((r) => r.firstChangeAfterOnsetMs))),
    invalidReasons: runs.flatMap((r) => (r.invalidReason ? [r.invalidReason] : [])),
    perRun: runs,
  };
}

const cell = (v: number | null, d = 0): string => (v === null ? '–' : v.toFixed(d));

export function firstTokenTable(levels: readonly LevelSummary[]): string {
  return formatTable(
    ['level', 'sparsity', 'backend', 'valid/runs', 'median ms', 'min ms', 'max ms', 'naive median ms', 'captured lead ms', 'next update ms (diag)', 'invalid'],
    levels.map((l) => [
      l.level,
      l.sparsity.toFixed(2),
      l.backend,
      `${l.valid}/${l.runs}`,
      cell(l.medianMs),
      cell(l.minMs),
      cell(l.maxMs),
      cell(l.fromListeningMedianMs),
      cell(l.capturedLeadMedianMs),
      cell(l.firstChangeAfterOnsetMedianMs),
      l.invalidReasons.join(',') || '–',
    ]),
  );
}

// The recognizer store's data and the pure reducer that folds client events into it. Kept free of zustand and
// React so every transition can be unit-tested as a plain function.
import type {
  BackendChoice,
  BackendName,
  ChunkMetrics,
  FinalPassKind,
  FinalTextSource,
  LevelInfo,
  Manifest,
  RecognizerErrorCode,
  RecognizerEvent,
  RecognizerStatus,
  Transcript,
} from '../asr/types';
import { onsetToShownMs } from '../asr/onset-latency';
import { initialAuto, initialCompare, type AutoData, type CompareData } from './compare';
import type { FinalLatencyRecord } from './latencyStats';

export type FinalLine = Transcript['finals'][number] & {
  /** where the text came from; absent for finals of clients that predate the second pass ('stream') */
  pass?: FinalTextSource;
  /** the streaming partial a second pass replaced (only when it differs from `text`), kept for comparison */
  streamText?: string;
};

export interface AppError {
  /** monotonically increasing, so React keys and dismissals stay stable */
  id: number;
  code: RecognizerErrorCode;
  message: string;
}

export interface LevelSwitch {
  level: string;
  loadMs: number;
  fromCache: boolean;
}

/**
 * Speech onset -> first text on screen, one value per utterance, microphone only (src/asr/onset-latency.ts). The
 * reducer cannot read a clock, so it only remembers the onset; the transcript view stamps the paint (partialShown).
 */
export interface OnsetLatencyData {
  /** page-clock onset of a first partial that is in the store but not yet painted */
  pendingOnsetAt: number | null;
  /** measured values in ms, oldest first, at most ONSET_LATENCY_KEPT */
  ms: number[];
}

/** Enough utterances for a stable median; bounded so a long session does not grow it. */
export const ONSET_LATENCY_KEPT = 50;

/** The same bound for endpoint -> final latencies (one per final line). */
export const FINAL_LATENCY_KEPT = 50;

/** Pure: the first partial whose onset is pending was painted at `shownAt`; records its latency. */
export function recordPartialShown(d: OnsetLatencyData, shownAt: number): OnsetLatencyData {
  if (d.pendingOnsetAt === null) return d;
  const ms = onsetToShownMs(d.pendingOnsetAt, shownAt);
  return { pendingOnsetAt: null, ms: ms === null ? d.ms : [...d.ms, ms].slice(-ONSET_LATENCY_KEPT) };
}

export interface RecognizerData {
  manifestUrl: string | null;
  manifest: Manifest | null;
  levels: LevelInfo[];
  /** the level the user asked for (moves with the slider immediately) */
  selectedLevel: string | null;
  /** the level the worker reports as running */
  activeLevel: string | null;
  requestedBackend: BackendChoice;
  backend: BackendName | null;
  status: RecognizerStatus;
  finals: FinalLine[];
  partial: string;
  metrics: ChunkMetrics[];
  onsetLatency: OnsetLatencyData;
  /** endpoint -> final line of the latest finals, oldest first, at most FINAL_LATENCY_KEPT */
  finalLatency: FinalLatencyRecord[];
  /** the second pass the user (or the app's default) chose; moves at once, like selectedLevel */
  finalPass: FinalPassKind;
  /** the second pass the recognizer runs now (its models are loaded); differs from finalPass while loading */
  activeFinalPass: FinalPassKind;
  levelSwitches: LevelSwitch[];
  errors: AppError[];
  /** count of error events ever seen; lets actions tell whether a rejection was already reported as an event */
  errorSeq: number;
  compare: CompareData;
  auto: AutoData;
  /** the outcome of the last file transcribed (null before the first): what the file input reports once it is done */
  lastFile: FileOutcome | null;
}

export interface FileOutcome {
  name: string;
  /** final lines the file added (0: nothing heard) */
  lines: number;
  /** false when it failed; the error banner then says why */
  ok: boolean;
  /** survivable problems with the file (a WAV cut short: its fragment was transcribed) */
  warnings: string[];
}

/** Enough chunks (160 ms each) for ~80 s of history: plenty for the latency comparison, bounded in memory. */
export const METRICS_HISTORY_LIMIT = 500;

export function initialData(requestedBackend: BackendChoice = 'auto'): RecognizerData {
  return {
    manifestUrl: null,
    manifest: null,
    levels: [],
    selectedLevel: null,
    activeLevel: null,
    requestedBackend,
    backend: null,
    status: 'idle',
    finals: [],
    partial: '',
    metrics: [],
    onsetLatency: { pendingOnsetAt: null, ms: [] },
    finalLatency: [],
    finalPass: 'none',
    activeFinalPass: 'none',
    levelSwitches: [],
    errors: [],
    errorSeq: 0,
    compare: initialCompare(),
    auto: initialAuto(),
    lastFile: null,
  };
}

/**
 * Adds an error unless one with the same code is already shown; then only its message is refreshed, so a repeated
 * failure (e.g. clicking the mic twice while denied) does not stack identical banners.
 */
export function withError(d: RecognizerData, code: RecognizerErrorCode, message: string): RecognizerData {
  const errorSeq = d.errorSeq + 1;
  const existing = d.errors.find((e) => e.code === code);
  if (existing) {
    return { ...d, errorSeq, errors: d.errors.map((e) => (e.code === code ? { ...e, message } : e)) };
  }
  return { ...d, errorSeq, errors: [...d.errors, { id: errorSeq, code, message }] };
}

export function reduceEvent(d: RecognizerData, e: RecognizerEvent): RecognizerData {
  switch (e.type) {
    case 'ready':
      return { ...d, backend: e.backend, activeLevel: e.level, selectedLevel: d.selectedLevel ?? e.level };
    case 'status':
      return { ...d, status: e.status };
    case 'partial':
      // Only a first partial carries onsetAt (and only for microphone input): its paint is what the latency ends on.
      if (e.onsetAt !== undefined && e.text !== '') {
        return { ...d, partial: e.text, onsetLatency: { ...d.onsetLatency, pendingOnsetAt: e.onsetAt } };
      }
      return { ...d, partial: e.text };
    case 'final': {
      // Empty finals (an endpoint on silence) carry nothing worth a line.
      if (e.text.trim() === '') return { ...d, partial: '' };
      const finalLatency =
        e.finalLatencyMs === undefined
          ? d.finalLatency
          : [...d.finalLatency, { pass: e.pass ?? 'stream', ms: e.finalLatencyMs }].slice(-FINAL_LATENCY_KEPT);
      return { ...d, partial: '', finals: [...d.finals, finalLineOf(e)], finalLatency };
    }
    case 'metrics': {
      const metrics = [...d.metrics, e.metrics];
      const over = metrics.length - METRICS_HISTORY_LIMIT;
      return { ...d, backend: e.metrics.backend, metrics: over > 0 ? metrics.slice(over) : metrics };
    }
    case 'level':
      return {
        ...d,
        activeLevel: e.level,
        levelSwitches: [...d.levelSwitches, { level: e.level, loadMs: e.loadMs, fromCache: e.fromCache }],
      };
    case 'error':
      return withError(d, e.code, e.message);
  }
}

/** A final event as a transcript line: the streaming text it replaced is kept only where a second pass changed it. */
export function finalLineOf(e: Extract<RecognizerEvent, { type: 'final' }>): FinalLine {
  const line: FinalLine = { text: e.text, words: e.words, level: e.level };
  if (e.pass !== undefined) line.pass = e.pass;
  if (e.pass !== undefined && e.pass !== 'stream' && e.streamText !== undefined && e.streamText !== e.text) line.streamText = e.streamText;
  return line;
}

/** Failures of a model load that may pass on a second try (a flaky connection, a server mid-deploy). */
export const RETRYABLE_LOAD_ERRORS: readonly RecognizerErrorCode[] = ['model-missing', 'model-corrupt', 'internal'];

/**
 * Whether to offer "Try again": the first load failed (no model at all, so nothing else on the page works) and
 * nothing is running. A failed level switch keeps the running level instead, and a missing browser feature
 * (no-wasm) would only fail again.
 */
export function canRetryLoad(d: Pick<RecognizerData, 'manifestUrl' | 'manifest' | 'status' | 'errors'>): boolean {
  return d.manifestUrl !== null && d.manifest === null && d.status === 'idle' && d.errors.some((e) => RETRYABLE_LOAD_ERRORS.includes(e.code));
}

const ERROR_CODES: readonly RecognizerErrorCode[] = [
  'mic-denied',
  'mic-missing',
  'mic-lost',
  'no-audioworklet',
  'no-wasm',
  'model-missing',
  'model-corrupt',
  'decode-failed',
  'internal',
];

/** Best-effort mapping of a thrown value to an error code (the client may attach `code` to its Errors). */
export function errorFromThrown(err: unknown): { code: RecognizerErrorCode; message: string } {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code)) {
    return { code: code as RecognizerErrorCode, message };
  }
  if (err instanceof DOMException || (err as { name?: string } | null)?.name === 'NotAllowedError') {
    if ((err as { name?: string }).name === 'NotAllowedError') return { code: 'mic-denied', message };
    if ((err as { name?: string }).name === 'NotFoundError') return { code: 'mic-missing', message };
  }
  return { code: 'internal', message };
}

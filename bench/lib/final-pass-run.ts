// Endpoint -> final line per second pass (docs/contracts.md §7), measured on a real Recognizer: the same code in the
// bench page (onnxruntime-web) and in the Node bench (onnxruntime-node). Runtime-agnostic: the loader decides.

import type { ModelLoader } from '../../src/asr/engine';
import { availableFinalPasses } from '../../src/asr/manifest';
import { createRecognizer } from '../../src/asr/recognizer';
import type { FinalPassKind, FinalTextSource, Manifest, RecognizerEvent } from '../../src/asr/types';
import { formatTable } from './report';
import { mean, percentile, round } from './stats';

/**
 * One second pass on one level: a Recognizer with that pass, fed the whole utterance and flushed `runs` times after
 * `warmup` untimed runs; every final line's endpoint (or flush) -> final latency, the event's finalLatencyMs.
 */
export interface FinalPassLatency {
  level: string;
  pass: FinalPassKind;
  /** creating the recognizer with this pass on an already loaded level: the pass's own models (encoderFull, Whisper) */
  loadMs: number;
  /** finalLatencyMs of every final of the timed runs, in order */
  finalMs: number[];
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  /** the last run's last final: its text, what wrote it, and the streaming text it replaced */
  text: string;
  source: FinalTextSource | null;
  streamText: string;
}

type FinalEvent = Extract<RecognizerEvent, { type: 'final' }>;

/** The passes a level offers that this runtime can run ('none' always): a loader without a pass's loader cannot. */
export function runnablePasses(manifest: Manifest, levelId: string, loader: Pick<ModelLoader, 'loadFullEncoder' | 'loadWhisper'>): FinalPassKind[] {
  return availableFinalPasses(manifest, levelId).filter(
    (p) => p === 'none' || (loader.loadFullEncoder !== undefined && (p !== 'whisper' || loader.loadWhisper !== undefined)),
  );
}

/** The densest level: where a second pass matters most and what the numbers are about. */
export function denseLevelId(manifest: Manifest): string | null {
  return [...manifest.levels].sort((a, b) => a.sparsity - b.sparsity)[0]?.id ?? null;
}

export async function measureFinalPasses(opts: {
  manifest: Manifest;
  /** should cache levels (memoLoader), so a pass's loadMs is its own models only */
  loader: ModelLoader;
  level: string;
  frames: readonly Float32Array[];
  runs: number;
  warmup: number;
  now: () => number;
}): Promise<FinalPassLatency[]> {
  const { manifest, loader, level, runs, warmup, now } = opts;
  await loader.load(manifest.levels.find((l) => l.id === level)!);
  const out: FinalPassLatency[] = [];
  for (const pass of runnablePasses(manifest, level, loader)) {
    const finals: FinalEvent[] = [];
    const t0 = now();
    const rec = await createRecognizer({ manifest, loader, level, finalPass: pass, listener: (e) => void (e.type === 'final' && finals.push(e)) });
    const loadMs = now() - t0;
    let timedFrom = 0;
    for (let i = 0; i < warmup + runs; i++) {
      if (i === warmup) timedFrom = finals.length;
      await rec.pushFeatures(opts.frames);
      await rec.flush();
    }
    await rec.dispose();
    const timed = finals.slice(timedFrom);
    const ms = timed.map((f) => f.finalLatencyMs ?? Number.NaN).filter(Number.isFinite);
    const last = timed.at(-1);
    out.push({
      level,
      pass,
      loadMs: round(loadMs, 1),
      finalMs: ms.map((x) => round(x, 1)),
      meanMs: round(mean(ms), 1),
      p50Ms: round(percentile(ms, 50), 1),
      p95Ms: round(percentile(ms, 95), 1),
      text: last?.text ?? '',
      source: last?.pass ?? null,
      streamText: last?.streamText ?? '',
    });
  }
  return out;
}

export function finalPassTable(rows: readonly FinalPassLatency[]): string {
  return formatTable(
    ['level', 'pass', 'finals', 'mean ms', 'p50 ms', 'p95 ms', 'pass load ms', 'text from'],
    rows.map((r) => [r.level, r.pass, String(r.finalMs.length), r.meanMs.toFixed(1), r.p50Ms.toFixed(1), r.p95Ms.toFixed(1), r.loadMs.toFixed(0), r.source ?? '-']),
  );
}

/// <reference types="vite/client" />
// Bench-only page: imports the recognizer core directly (no UI) and measures one backend per page load, because
// onnxruntime-web fixes its WASM thread count when the runtime first initialises.

import * as ort from 'onnxruntime-web';
import { createWebLoader } from '../../src/asr/backend';
import { loadManifest } from '../../src/asr/manifest';
import { APP_WASM_PATHS } from '../../src/asr/ort-assets';
import { CaptureClock, frameTimingOf, onsetToShownMs } from '../../src/asr/onset-latency';
import { createRecognizer } from '../../src/asr/recognizer';
import type { Manifest, RecognizerEvent } from '../../src/asr/types';
import { FeaturePipeline } from '../../src/audio/pipeline';
import { memoLoader, type MemoLoader } from '../lib/memo-loader';
import { denseLevelId, measureFinalPasses } from '../lib/final-pass-run';
import { mean, round } from '../lib/stats';
import { featurize, runUtterance, summarizeRuns, type UtteranceRun } from '../lib/stream-run';
import type { FirstToken, PageLevel, PageRequest, PageResult } from './protocol';

const MANIFEST_URL = new URL('/models/manifest.json', location.href).href;
const now = (): number => performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

async function adapterInfo(): Promise<PageResult['adapter']> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  if (!adapter) return null;
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    description: info.description ?? '',
    isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? null,
  };
}

async function measureLevels(req: PageRequest, manifest: Manifest, loader: MemoLoader, frames: Float32Array[], audioMs: number): Promise<PageLevel[]> {
  const ids = req.levels ?? manifest.levels.map((l) => l.id);
  const out: PageLevel[] = [];
  for (const id of ids) {
    const level = manifest.levels.find((l) => l.id === id);
    if (!level) throw new Error(`unknown level ${id}`);
    const models = await loader.load(level);
    for (let i = 0; i < req.warmup; i++) await runUtterance(models, manifest, frames, now);
    const runs: UtteranceRun[] = [];
    for (let i = 0; i < req.runs; i++) runs.push(await runUtterance(models, manifest, frames, now));
    out.push({ id, sparsity: level.sparsity, loadMs: round(loader.loadMs.get(id) ?? NaN, 1), bytes: level.bytes.raw, ...summarizeRuns(runs, audioMs) });
  }
  return out;
}

/**
 * Real Recognizer on cached sessions: every level is visited once, then each switch back is a cache hit. The
 * utterance is streamed first (not flushed), so every switch replays a full left context into the new level
 * (src/asr/replay.ts), as a switch mid-dictation does.
 */
async function measureSwitches(manifest: Manifest, loader: MemoLoader, ids: string[], frames: Float32Array[]): Promise<PageResult['switchFromCacheMs']> {
  const events: { level: string; loadMs: number; fromCache: boolean; replayMs?: number; replayFrames?: number }[] = [];
  const rec = await createRecognizer({ manifest, loader, level: ids[0], listener: (e) => void (e.type === 'level' && events.push(e)) });
  await rec.pushFeatures(frames);
  for (const id of ids.slice(1)) await rec.setLevel(id);
  const out: PageResult['switchFromCacheMs'] = [];
  for (const id of [...ids.slice(0, -1)].reverse()) {
    const t0 = now();
    await rec.setLevel(id);
    const wallMs = now() - t0;
    const e = events[events.length - 1];
    if (e?.level === id && e.fromCache) {
      out.push({ to: id, eventLoadMs: round(e.loadMs), wallMs: round(wallMs), replayMs: round(e.replayMs ?? NaN), replayFrames: e.replayFrames ?? 0 });
    }
  }
  await rec.dispose();
  return out;
}

/** Feeds the audio at real-time pace in 40 ms blocks, as a microphone would, and times the first partial. */
async function measureFirstToken(req: PageRequest, manifest: Manifest, loader: MemoLoader, level: string): Promise<FirstToken> {
  let onsetAt: number | null = null;
  let firstAfterOnset: number | null = null;
  let partialBeforeOnset = false;
  let energyOnsetToPartialMs: number | null = null;
  // The app's definition (src/asr/onset-latency.ts): the recognizer's energy onset frame, placed on this page's clock
  // by when its block was pushed, to the first partial event (not a paint: this page has no UI).
  const clock = new CaptureClock(frameTimingOf(manifest.frontend));
  const listener = (e: RecognizerEvent): void => {
    if (e.type !== 'partial' || e.text.length === 0) return;
    if (e.onsetFrame !== undefined && energyOnsetToPartialMs === null) {
      const ms = onsetToShownMs(clock.captureTimeOf(e.onsetFrame), now());
      energyOnsetToPartialMs = ms === null ? null : round(ms);
    }
    if (onsetAt === null) partialBeforeOnset = true;
    else if (firstAfterOnset === null) firstAfterOnset = now() - onsetAt;
  };
  const rec = await createRecognizer({ manifest, loader, level, listener });
  const pipeline = new FeaturePipeline(req.sampleRate, manifest.frontend);
  const samples = Float32Array.from(req.samples);
  const block = Math.round(req.sampleRate * 0.04);
  const onsetSample = Math.round(req.onsetSeconds * req.sampleRate);
  const start = now();
  const pushes: Promise<void>[] = [];
  for (let pos = 0; pos < samples.length; pos += block) {
    await sleep(start + (pos / req.sampleRate) * 1000 - now());
    if (onsetAt === null && pos + block > onsetSample) onsetAt = now();
    // Not awaited: audio keeps arriving while the recognizer works, exactly as with a microphone.
    const frames = pipeline.push(samples.subarray(pos, pos + block));
    clock.mark(frames.length, now());
    pushes.push(rec.pushFeatures(frames));
  }
  await Promise.all(pushes);
  await rec.flush();
  await rec.dispose();
  return { level, afterOnsetMs: firstAfterOnset === null ? null : round(firstAfterOnset), partialBeforeOnset, energyOnsetToPartialMs };
}

async function run(req: PageRequest): Promise<PageResult> {
  const manifest = await loadManifest(MANIFEST_URL);
  const loader = memoLoader(await createWebLoader(manifest, MANIFEST_URL, req.backend, APP_WASM_PATHS), now);
  const samples = Float32Array.from(req.samples);
  featurize([samples], req.sampleRate, manifest.frontend, manifest.segmentFrames, now); // JIT warm-up
  const features = featurize([samples], req.sampleRate, manifest.frontend, manifest.segmentFrames, now);
  const levels = await measureLevels(req, manifest, loader, features.frames, features.audioMs);
  const switches = await measureSwitches(manifest, loader, levels.map((l) => l.id), features.frames);
  const firstToken = !req.firstToken ? null : await measureFirstToken(req, manifest, loader, levels.some((l) => l.id === manifest.defaultLevel) ? manifest.defaultLevel : (levels[0]?.id ?? manifest.defaultLevel));
  // Endpoint -> final line per second pass on the dense level ('none' as the baseline), on this page's backend.
  const dense = denseLevelId(manifest);
  const finalPasses =
    req.finalPasses && dense !== null
      ? await measureFinalPasses({ manifest, loader, level: dense, frames: features.frames, runs: req.runs, warmup: req.warmup, now })
      : null;
  await loader.disposeAll();
  return {
    backend: loader.backend,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    wasmThreads: ort.env.wasm.numThreads ?? 0,
    hardwareConcurrency: navigator.hardwareConcurrency,
    adapter: await adapterInfo(),
    frontendMsPerChunk: round(mean(features.blockMs)),
    levels,
    switchFromCacheMs: switches,
    firstToken,
    finalPasses,
  };
}

(globalThis as { omnisparseBench?: { run: typeof run } }).omnisparseBench = { run };
document.getElementById('status')?.setAttribute('data-ready', 'true');

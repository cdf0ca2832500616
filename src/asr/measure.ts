// On-device latency measurement of one level (the app's Compare view). It drives the same EncoderSession +
// GreedyDecoder sequence the recognizer runs on live audio, but on a private fresh session, so the user's ongoing
// stream state is never touched. Runtime-agnostic: the worker runs it on onnxruntime-web, tests on a fake engine.

import { LogMelFrontend } from '../audio/frontend';
import { decoderConfigOf, GreedyDecoder } from './decoder';
import type { LevelModels } from './engine';
import { replayFrameCount, replaySeedStates } from './replay';
import { EncoderSession, geometryOf } from './session';
import type { BackendName, FrontendSpec, Manifest } from './types';
import { ENCODER_FRAME_SECONDS } from './words';

/** Raw timings of one level; statistics are computed on the main thread (src/store/latencyStats.ts). */
export interface LevelMeasurement {
  level: string;
  backend: BackendName;
  /** creating the level's three sessions from scratch (fetch + sha256 + InferenceSession.create) */
  loadMs: number;
  /** wall ms per timed chunk (encoder step + greedy decode), exactly what the recognizer reports as computeMs */
  chunkMs: number[];
  /** audio ms each timed chunk represents */
  chunkAudioMs: number[];
  warmupChunks: number;
}

export interface MeasureOptions {
  /** chunks run first and not timed: the first runs pay one-off allocation / JIT / kernel selection costs */
  warmupChunks: number;
  now: () => number;
  /** polled between chunks so a cancel lands within one chunk */
  cancelled?: () => boolean;
}

export class MeasureCancelled extends Error {
  constructor() {
    super('measurement cancelled');
    this.name = 'MeasureCancelled';
  }
}

/** The client-side surface the store uses; optional on a RecognizerClient (the widget's clients lack it). */
export interface LevelMeasurer {
  measureLevel(id: string): Promise<LevelMeasurement>;
  cancelMeasure(): void;
}

/** Seconds of test signal: ~31 chunks of 160 ms, enough for a stable p95 while a full sweep stays short. */
export const TEST_SIGNAL_SECONDS = 5;
export const DEFAULT_WARMUP_CHUNKS = 2;

/**
 * A deterministic speech-like test signal: a harmonic "voice" whose pitch glides, gated into ~4 Hz syllables with
 * noise bursts between them, so the models see a mix of voiced, fricative-like and silent frames (decoding cost
 * depends on how much the model emits). Seeded PRNG, so every device measures the very same input.
 */
export function speechLikeSignal(sampleRate: number, seconds: number, seed = 1): Float32Array {
  const n = Math.round(sampleRate * seconds);
  const out = new Float32Array(n);
  let state = seed >>> 0 || 1;
  const noise = (): number => {
    // xorshift32: tiny and reproducible across engines (Math.random is not seedable)
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 0xffffffff) * 2 - 1;
  };
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const f0 = 140 + 60 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += (2 * Math.PI * f0) / sampleRate;
    const syllable = Math.sin(Math.PI * ((t * 4) % 1)); // 0 at syllable edges, 1 mid-syllable
    const voiced = t % 2 < 1.6 ? syllable ** 2 : 0; // a 0.4 s pause every 2 s
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(h * phase) / h;
    const hiss = syllable < 0.3 && t % 2 < 1.6 ? 0.15 : 0.003;
    out[i] = 0.25 * voiced * v + hiss * noise();
  }
  return out;
}

/** The test signal through the real log-mel front end. */
export function testFeatures(spec: FrontendSpec, seconds = TEST_SIGNAL_SECONDS): Float32Array[] {
  return new LogMelFrontend(spec).push(speechLikeSignal(spec.sampleRate, seconds));
}

/**
 * Streams `frames` through a fresh session of `models` one segment at a time (as capture delivers them), running
 * every ready chunk immediately. The first `warmupChunks` chunks are run but not timed. Mid-stream chunks only:
 * the padded end-of-stream chunk is not representative of steady-state latency.
 */
export async function measureStreaming(
  models: LevelModels,
  manifest: Manifest,
  frames: readonly Float32Array[],
  opts: MeasureOptions,
): Promise<{ chunkMs: number[]; chunkAudioMs: number[] }> {
  const session = new EncoderSession(models.encoder, models.level.state, geometryOf(manifest));
  const decoder = new GreedyDecoder(models.transducer, decoderConfigOf(manifest));
  const chunkMs: number[] = [];
  const chunkAudioMs: number[] = [];
  let seen = 0;
  for (let i = 0; i < frames.length; i += manifest.segmentFrames) {
    session.push(frames.slice(i, i + manifest.segmentFrames));
    for (;;) {
      if (opts.cancelled?.()) throw new MeasureCancelled();
      const t0 = opts.now();
      const chunk = await session.step(false);
      if (!chunk) break;
      await decoder.decode(chunk.encoderOut, chunk.frames);
      const ms = opts.now() - t0;
      if (seen++ < opts.warmupChunks) continue;
      chunkMs.push(ms);
      chunkAudioMs.push(chunk.frames * ENCODER_FRAME_SECONDS * 1000);
    }
  }
  return { chunkMs, chunkAudioMs };
}

/** Where a switch at the end of `total` frames finds its history and look-ahead (pure; see measureReplay). */
export function replayWindow(total: number, manifest: Manifest): { start: number; end: number; lookaheadEnd: number } {
  const seg = manifest.segmentFrames;
  // The last chunk boundary whose look-ahead was already available: the point a mid-stream switch lands on.
  const end = Math.max(0, Math.floor((total - manifest.lookaheadFrames) / seg) * seg);
  return { start: Math.max(0, end - replayFrameCount(manifest)), end, lookaheadEnd: Math.min(total, end + manifest.lookaheadFrames) };
}

/**
 * What a level switch from cache costs on the new level: a fresh session replaying the manifest's left context
 * (replay.ts) from `frames`, taken at the last chunk boundary, `repeats` times. The recognizer's switch adds only
 * the session/decoder construction to this. Frames shorter than the left context replay what there is.
 */
export async function measureReplay(
  models: LevelModels,
  manifest: Manifest,
  frames: readonly Float32Array[],
  now: () => number,
  repeats: number,
): Promise<{ frames: number; ms: number[] }> {
  const w = replayWindow(frames.length, manifest);
  const history = frames.slice(w.start, w.end);
  const following = frames.slice(w.end, w.lookaheadEnd);
  const ms: number[] = [];
  let replayed = 0;
  for (let i = 0; i < repeats; i++) {
    const session = new EncoderSession(models.encoder, models.level.state, geometryOf(manifest));
    const t0 = now();
    replayed = await session.replay(history, following, replaySeedStates(manifest, models.level.state, w.start));
    ms.push(now() - t0);
  }
  return { frames: replayed, ms };
}

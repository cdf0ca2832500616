import { describe, expect, it } from 'vitest';
import { fakeLoader, indexedFrames } from '../test-fixtures/fake-engine';
import { manifestJson } from '../test-fixtures/manifest-fixture';
import { parseManifest } from './manifest';
import { MeasureCancelled, measureReplay, measureStreaming, replayWindow, speechLikeSignal, testFeatures } from './measure';

const manifest = parseManifest({ ...manifestJson(), contextSize: 8 });

/** A clock that advances `stepMs` on every read, so each timed chunk (two reads) lasts exactly stepMs. */
function tickingClock(stepMs: number): () => number {
  let t = 0;
  return () => (t += stepMs);
}

describe('speechLikeSignal', () => {
  it('is deterministic, bounded and has both loud and quiet stretches', () => {
    const a = speechLikeSignal(16000, 2);
    const b = speechLikeSignal(16000, 2);
    expect(a.length).toBe(32000);
    expect(a).toEqual(b);
    expect(speechLikeSignal(16000, 2, 7)).not.toEqual(a);
    const peak = a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeLessThanOrEqual(1);
    expect(peak).toBeGreaterThan(0.1);
    // the pause at 1.6–2.0 s is (almost) silent
    const pause = a.subarray(1.65 * 16000, 1.95 * 16000).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(pause).toBeLessThan(0.01);
  });

  it('goes through the real front end: 100 frames per second of featureDim values', () => {
    const frames = testFeatures(manifest.frontend, 1);
    // center=false: floor((16000 - 400) / 160) + 1 = 98 frames
    expect(frames.length).toBe(98);
    expect(frames.every((f) => f.length === 80 && f.every(Number.isFinite))).toBe(true);
  });
});

describe('measureStreaming', () => {
  it('times every mid-stream chunk after the warm-up, on a fresh session', async () => {
    const models = await fakeLoader([], manifest.vocabulary.length).load(manifest.levels[0]!);
    // 100 frames → chunks start at 0, 16, ... while 20 frames are buffered: (100 - 20) / 16 + 1 = 6 chunks
    const r = await measureStreaming(models, manifest, indexedFrames(0, 100, true), { warmupChunks: 2, now: tickingClock(3) });
    expect(r.chunkMs).toEqual([3, 3, 3, 3]);
    expect(r.chunkAudioMs).toEqual([160, 160, 160, 160]);
  });

  it('stops between chunks once cancelled', async () => {
    const models = await fakeLoader([], manifest.vocabulary.length).load(manifest.levels[0]!);
    let polls = 0;
    const run = measureStreaming(models, manifest, indexedFrames(0, 100, true), {
      warmupChunks: 0,
      now: tickingClock(1),
      cancelled: () => ++polls > 3,
    });
    await expect(run).rejects.toBeInstanceOf(MeasureCancelled);
  });
});

describe('measureReplay', () => {
  it('replays the left context that ends at the last chunk boundary, once per repeat, on fresh sessions', async () => {
    expect(replayWindow(150, manifest)).toEqual({ start: 80, end: 144, lookaheadEnd: 148 });
    expect(replayWindow(30, manifest)).toEqual({ start: 0, end: 16, lookaheadEnd: 20 });
    expect(replayWindow(3, manifest)).toEqual({ start: 0, end: 0, lookaheadEnd: 3 });
    const loader = fakeLoader([], manifest.vocabulary.length);
    const models = await loader.load(manifest.levels[0]!);
    const r = await measureReplay(models, manifest, indexedFrames(0, 150, true), tickingClock(7), 3);
    expect(r).toEqual({ frames: 64, ms: [7, 7, 7] });
    const enc = loader.encoders.get('s0');
    expect(enc?.steps).toEqual([0n, 1n, 2n, 3n, 0n, 1n, 2n, 3n, 0n, 1n, 2n, 3n]);
    expect(loader.joinerLog).toEqual([]); // nothing decoded
  });
});

import { describe, expect, it } from 'vitest';
import { indexOfFrameValue, indexedFrames } from '../test-fixtures/fake-engine';
import { manifestJson } from '../test-fixtures/manifest-fixture';
import { parseManifest } from './manifest';
import { FrameRing, leftContextMs, positionStepPerChunk, replayCapacity, replayFrameCount, replaySeedStates, type ReplayManifest } from './replay';
import type { StateSpec } from './types';

const v1 = parseManifest(manifestJson());
/** The geometry fields of a formatVersion 2 (Whisper) export: export_v2 writes these for StreamConfig(8, 2, 128). */
const v2: ReplayManifest = {
  frontend: { ...v1.frontend, hopLength: 160, sampleRate: 16000 },
  subsampling: 4,
  segmentFrames: 16,
  leftContextFrames: 128,
  stream: { chunkMs: 160, rightContextMs: 40, leftContextMs: 2560, positions: { scheme: 'wrap', table: 1500 } },
};

describe('replayFrameCount', () => {
  it('v1: leftContextFrames counts 40 ms encoder frames (subsampling feature frames each): 16 x 4 = 64', () => {
    expect(leftContextMs(v1)).toBeCloseTo(640, 9);
    expect(replayFrameCount(v1)).toBe(64);
  });
  it('v2: the 2.56 s of stream.leftContextMs, not leftContextFrames x subsampling (128 frames are 20 ms each)', () => {
    expect(leftContextMs(v2)).toBe(2560);
    expect(replayFrameCount(v2)).toBe(256);
  });
  it('rounds up to whole chunks, and is 0 without left context', () => {
    expect(replayFrameCount({ ...v2, stream: { ...v2.stream!, leftContextMs: 2500 } })).toBe(256);
    expect(replayFrameCount({ ...v2, stream: { ...v2.stream!, leftContextMs: 2570 } })).toBe(272);
    expect(replayFrameCount({ ...v1, leftContextFrames: 0 })).toBe(0);
  });
  it('a cap (Recognizer maxReplayFrames) only lowers it, to whole chunks', () => {
    expect(replayCapacity(v2)).toBe(256);
    expect(replayCapacity(v2, 20)).toBe(32);
    expect(replayCapacity(v2, 1000)).toBe(256);
    expect(replayCapacity(v2, 0)).toBe(0);
    expect(replayCapacity(v1, -5)).toBe(0);
  });
});

describe('replaySeedStates', () => {
  const specs: StateSpec[] = [
    { name: 'mel_cache', shape: [1, 80], dtype: 'float32' },
    { name: 'position', shape: [1], dtype: 'int64' },
  ];
  const value = (startFrame: number, m: ReplayManifest = v2): bigint | undefined =>
    (replaySeedStates(m, specs, startFrame)[0]?.data as BigInt64Array | undefined)?.[0];

  it('v2: the counter advances 8 transformer frames (20 ms) per 160 ms chunk, wrapping at the table', () => {
    expect(positionStepPerChunk(v2)).toBe(8);
    expect(value(0)).toBe(0n);
    expect(value(512)).toBe(256n); // 32 chunks in
    expect(value(16 * 200)).toBe(100n); // 1600 rows wrap to 100 in a 1500-row table
    expect(replaySeedStates(v2, specs, 512).map((s) => s.spec.name)).toEqual(['position']);
  });
  it('nothing to seed without a known counter: v1, another scheme, no position state', () => {
    expect(positionStepPerChunk(v1)).toBeNull();
    expect(replaySeedStates(v1, specs, 512)).toEqual([]);
    expect(replaySeedStates({ ...v2, stream: { ...v2.stream!, positions: { scheme: 'clamp', table: 1500 } } }, specs, 512)).toEqual([]);
    expect(replaySeedStates(v2, specs.slice(0, 1), 512)).toEqual([]);
  });
});

describe('FrameRing', () => {
  const ids = (frames: Float32Array[]): number[] => frames.map((f) => indexOfFrameValue(f[0] ?? 0));

  it('keeps exactly the last `capacity` frames, oldest first, in a fixed buffer', () => {
    const ring = new FrameRing(64, 80);
    const bytes = ring.byteLength;
    expect(bytes).toBe(64 * 80 * 4);
    ring.push(indexedFrames(0, 10, true));
    expect(ids(ring.frames())).toEqual(Array.from({ length: 10 }, (_, i) => i));
    for (let i = 10; i < 5000; i += 16) ring.push(indexedFrames(i, 16, true));
    expect(ring.size).toBe(64);
    expect(ring.byteLength).toBe(bytes); // memory does not grow with the stream
    const last = 10 + Math.ceil((5000 - 10) / 16) * 16;
    expect(ids(ring.frames())).toEqual(Array.from({ length: 64 }, (_, i) => last - 64 + i));
  });

  it('a push larger than the ring keeps its newest frames; copies are independent of the caller', () => {
    const ring = new FrameRing(4, 80);
    const frames = indexedFrames(0, 9, true);
    ring.push(frames);
    expect(ids(ring.frames())).toEqual([5, 6, 7, 8]);
    (frames[8] as Float32Array)[0] = 123; // a caller reusing its buffer
    const out = ring.frames();
    expect(ids(out)).toEqual([5, 6, 7, 8]);
    (out[0] as Float32Array)[0] = 0; // and a consumer scribbling on the copies
    expect(ids(ring.frames())).toEqual([5, 6, 7, 8]);
  });

  it('clear empties it; a zero-capacity ring holds nothing; wrong sizes are rejected', () => {
    const ring = new FrameRing(4, 80);
    ring.push(indexedFrames(0, 3, true));
    ring.clear();
    expect(ring.frames()).toEqual([]);
    ring.push(indexedFrames(7, 1, true));
    expect(ids(ring.frames())).toEqual([7]);
    const none = new FrameRing(0, 80);
    none.push(indexedFrames(0, 3, true));
    expect(none.size).toBe(0);
    expect(() => ring.push([new Float32Array(3)])).toThrow(RangeError);
    expect(() => new FrameRing(-1, 80)).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import { fakeEncoder, indexOfFrameValue, indexedFrames } from '../test-fixtures/fake-engine';
import { FAKE_J } from '../test-fixtures/fake-model';
import { EncoderSession, chunkInput, planChunk, replayPlan, type ChunkGeometry } from './session';
import type { StateSpec } from './types';

const g: ChunkGeometry = { segmentFrames: 16, chunkInputFrames: 20, encoderFramesPerChunk: 4, subsampling: 4, featureDim: 80, padValue: -13.8 };
const states: StateSpec[] = [
  { name: 'cache', shape: [1, 2, 3], dtype: 'float32' },
  { name: 'step', shape: [1], dtype: 'int64' },
];

describe('planChunk', () => {
  it('needs a full window mid-stream', () => {
    expect(planChunk(19, g, false)).toBeNull();
    expect(planChunk(20, g, false)).toEqual({ realFrames: 20, padFrames: 0, validEncoderFrames: 4, consume: 16 });
  });
  it('pads the tail and keeps only encoder frames that start in real audio', () => {
    expect(planChunk(18, g, true)).toEqual({ realFrames: 18, padFrames: 2, validEncoderFrames: 4, consume: 16 });
    expect(planChunk(2, g, true)).toEqual({ realFrames: 2, padFrames: 18, validEncoderFrames: 1, consume: 2 });
    expect(planChunk(5, g, true)).toEqual({ realFrames: 5, padFrames: 15, validEncoderFrames: 2, consume: 5 });
    expect(planChunk(0, g, true)).toBeNull();
  });
});

describe('EncoderSession', () => {
  it('chunks 50 frames into windows [0,20) [16,36) [32,52) [48,68) and yields ceil(50/4) encoder frames', async () => {
    const enc = fakeEncoder();
    const s = new EncoderSession(enc, states, g);
    s.push(indexedFrames(0, 50, true));
    const rows: number[] = [];
    const collect = (o: { encoderOut: Float32Array; frames: number } | null): boolean => {
      if (!o) return false;
      for (let r = 0; r < o.frames; r++) rows.push(o.encoderOut[r * FAKE_J] ?? NaN);
      return true;
    };
    while (collect(await s.step(false)));
    expect(enc.inputs).toHaveLength(2);
    while (collect(await s.step(true)));
    expect(enc.inputs).toHaveLength(4);
    // window starts: first feature value of each chunk input
    expect(enc.inputs.map((x) => indexOfFrameValue(x[0] ?? 0))).toEqual([0, 16, 32, 48]);
    // third chunk: 18 real frames (32..49) then 2 pad frames
    const third = enc.inputs[2] as Float32Array;
    expect(indexOfFrameValue(third[17 * 80] ?? 0)).toBe(49);
    expect(third[18 * 80]).toBeCloseTo(-13.8, 5);
    // rows are encoder frames 0..12 (feature frames 0,4,...,48)
    expect(rows).toEqual(Array.from({ length: 13 }, (_, e) => e));
    // states are carried: step counter seen by each call
    expect(enc.steps).toEqual([0n, 1n, 2n, 3n]);
  });

  it('reset zeroes the carried state; takePending hands over unconsumed frames', async () => {
    const enc = fakeEncoder();
    const s = new EncoderSession(enc, states, g);
    s.push(indexedFrames(0, 25, true));
    await s.step(false);
    expect(s.takePending().map((f) => indexOfFrameValue(f[0] ?? 0))).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24]);
    s.reset();
    s.push(indexedFrames(0, 20, true));
    await s.step(false);
    expect(enc.steps).toEqual([0n, 0n]);
  });

  it('rejects frames of the wrong size', () => {
    const s = new EncoderSession(fakeEncoder(), states, g);
    expect(() => s.push([new Float32Array(3)])).toThrow(RangeError);
  });

  it('replay runs the history on the original chunk grid, discards nothing pending and decodes nothing', async () => {
    // the old level consumed frames [0, 48) and still buffers [48, 68): the new level replays [16, 48)
    const enc = fakeEncoder();
    const s = new EncoderSession(enc, states, g);
    const pending = indexedFrames(48, 20, true);
    expect(await s.replay(indexedFrames(0, 48, true).slice(16), pending)).toBe(32);
    // windows [16, 36) and [32, 52): the last one takes its 4 look-ahead frames from the pending ones
    expect(enc.inputs.map((x) => Array.from({ length: 20 }, (_, i) => indexOfFrameValue(x[i * 80] ?? 0)))).toEqual([
      Array.from({ length: 20 }, (_, i) => 16 + i),
      Array.from({ length: 20 }, (_, i) => 32 + i),
    ]);
    expect(s.bufferedFrames).toBe(0); // replay buffers nothing...
    s.push(pending); // ...so the switch hands the pending frames over once, and decoding resumes at 48
    const out = await s.step(false);
    expect(indexOfFrameValue(enc.inputs[2]?.[0] ?? 0)).toBe(48);
    expect(out?.encoderOut[0]).toBe(12);
    expect(enc.steps).toEqual([0n, 1n, 2n]); // the state carried through the replay
  });

  it('replay aligns whole chunks to the end of the history and pads a look-ahead the stream never had', async () => {
    expect(replayPlan(40, g)).toEqual({ skip: 8, chunks: 2 });
    expect(replayPlan(15, g)).toEqual({ skip: 15, chunks: 0 });
    expect(replayPlan(0, g)).toEqual({ skip: 0, chunks: 0 });
    const enc = fakeEncoder();
    const s = new EncoderSession(enc, states, g);
    expect(await s.replay(indexedFrames(0, 40, true), indexedFrames(40, 2, true))).toBe(32);
    expect(enc.inputs.map((x) => indexOfFrameValue(x[0] ?? 0))).toEqual([8, 24]);
    const last = enc.inputs[1] as Float32Array;
    expect(indexOfFrameValue(last[17 * 80] ?? 0)).toBe(41);
    expect(last[18 * 80]).toBeCloseTo(-13.8, 5);
    expect(await new EncoderSession(enc, states, g).replay([], indexedFrames(0, 30, true))).toBe(0);
    expect(enc.inputs).toHaveLength(2);
  });

  it('replay starts from the seeded states (even with nothing to replay) and rejects seeds of another shape', async () => {
    const enc = fakeEncoder();
    const seed = (v: bigint, shape = [1]) => ({ spec: { name: 'step', shape, dtype: 'int64' as const }, data: BigInt64Array.of(v) });
    const s = new EncoderSession(enc, states, g);
    await s.replay(indexedFrames(0, 32, true), indexedFrames(32, 4, true), [seed(5n)]);
    expect(enc.steps).toEqual([5n, 6n]);
    const fresh = new EncoderSession(enc, states, g);
    await fresh.replay([], [], [seed(9n)]);
    fresh.push(indexedFrames(0, 20, true));
    await fresh.step(false);
    expect(enc.steps).toEqual([5n, 6n, 9n]);
    await expect(new EncoderSession(enc, states, g).replay([], [], [seed(1n, [2])])).rejects.toThrow(/seed state step/);
  });

  it('peekPending leaves the buffer alone; chunkInput pads past the given frames', () => {
    const s = new EncoderSession(fakeEncoder(), states, g);
    s.push(indexedFrames(0, 3, true));
    expect(s.peekPending()).toHaveLength(3);
    expect(s.bufferedFrames).toBe(3);
    const input = chunkInput(indexedFrames(0, 3, true), 1, g);
    expect(indexOfFrameValue(input[80] ?? 0)).toBe(2);
    expect(input[2 * 80]).toBeCloseTo(-13.8, 5);
  });
});

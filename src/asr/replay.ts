// Level switch with state (issue 13, item 5). Structured pruning removes attention heads, so the encoder's K/V caches
// have different shapes on every level: the state of one level cannot be handed to another. Instead the recognizer
// keeps the most recent feature frames the encoder consumed, and on a switch it runs them through the new level's
// encoder from a fresh state, chunk by chunk, outputs discarded (their text was already emitted by the old level).
// The new level then continues at the same chunk boundary with its caches filled from real audio.
//
// How many frames (replayFrameCount) — the caches of both model families, in 10 ms feature frames:
//  - attention K/V caches: the last `leftContext` encoder frames.
//      formatVersion 1: an encoder frame is `subsampling` (4) stacked feature frames and `leftContextFrames` counts
//        those: 16 x 4 = 64 feature frames (640 ms).
//      formatVersion 2 (Whisper): the transformer runs at 20 ms (conv2 has stride 2) and `leftContextFrames` counts
//        transformer frames (export_v2 writes StreamConfig.left = 128). The manifest's `subsampling` (4) also counts
//        the readout's stacking of 2 transformer frames into one 40 ms output frame, so leftContextFrames x
//        subsampling would ask for twice the context. The unambiguous figure is `stream.leftContextMs` (2560 ms),
//        which v2 manifests must carry: 2560 ms / 10 ms hop = 256 feature frames.
//  - rounded up to whole chunks (`segmentFrames`): the replay must cut the same chunk grid as the original stream,
//    so that its last chunk ends exactly where the pending frames start (v1: 64 = 4 chunks, v2: 256 = 16 chunks).
//  - the conv front end's one-frame caches (v1 `front_cache`, v2 `mel_cache` / `conv_cache`) are rebuilt by the
//    replayed chunks themselves; only the first replayed chunk starts from zeros, as the first chunk of any stream
//    does, which touches the oldest cached frame only.
//  - the look-ahead of the last replayed chunk is the first `lookaheadFrames` pending frames (not yet decoded).
//  - v2's `position` counter is NOT left at zero (replaySeedStates): Whisper adds absolute sinusoidal positions, and
//    a replay started at row 0 hands the new level keys computed at other positions than the stream's. Training
//    draws random offsets, so either is a valid stream, but only the stream's own offset makes the replayed caches
//    those the new level would have built had it run from the start. Measured on a v2 export (levels s00/s90, random
//    readout; same level, replay at 5.12 s vs. an uninterrupted run, relative L2 error of encoder_out over the next
//    16 chunks): 66-103 % with the counter at zero, 4-20 % (s00) and 1-4 % (s90) with it seeded.
//
// What replay does not reproduce: a layer's cached keys depend on the layer below, which itself attended to
// `leftContext` frames before them, so the exact receptive field is layers x leftContext. The seeded residual above
// (largest on the first chunk, fading over 2.56 s) is the difference between a stream that started one left context
// ago and one that started earlier, which every stream's first seconds go through anyway.

import { zeroState, type StateTensor } from './engine';
import type { Manifest, StateSpec } from './types';

export type ReplayManifest = Pick<Manifest, 'frontend' | 'subsampling' | 'segmentFrames' | 'leftContextFrames' | 'stream'>;

/** Milliseconds of audio one feature frame advances (the front end's hop). */
export function hopMs(m: Pick<Manifest, 'frontend'>): number {
  return (1000 * m.frontend.hopLength) / m.frontend.sampleRate;
}

/** Milliseconds of audio the encoder's attention caches hold (see the header for the per-version units). */
export function leftContextMs(m: ReplayManifest): number {
  return m.stream?.leftContextMs ?? m.leftContextFrames * m.subsampling * hopMs(m);
}

/** Feature frames to replay on a level switch: the left context in feature frames, rounded up to whole chunks. */
export function replayFrameCount(m: ReplayManifest): number {
  // The epsilon keeps 2560 / 10 from becoming 257 through float noise in the hop (e.g. 1000 * 160 / 16000).
  const frames = Math.max(0, Math.ceil(leftContextMs(m) / hopMs(m) - 1e-9));
  return Math.ceil(frames / m.segmentFrames) * m.segmentFrames;
}

/** Frames a switch keeps for replay: the left context, or fewer if asked, in whole chunks so replays stay on the grid. */
export function replayCapacity(m: ReplayManifest, maxReplayFrames?: number): number {
  const full = replayFrameCount(m);
  if (maxReplayFrames === undefined) return full;
  return Math.min(full, Math.ceil(Math.max(0, maxReplayFrames) / m.segmentFrames) * m.segmentFrames);
}

export type PositionManifest = Pick<Manifest, 'segmentFrames' | 'leftContextFrames' | 'stream'>;

/** The v2 encoder state that counts positional-table rows (contracts §3); other manifests have no such counter. */
export const POSITION_STATE = 'position';

/**
 * Rows the v2 position counter advances per chunk: the chunk's transformer frames. A transformer frame lasts
 * leftContextMs / leftContextFrames (20 ms), so a 160 ms chunk advances it by 8. Null when the manifest declares no
 * counter this app knows how to seed (no `stream`, a scheme other than 'wrap', or geometry that is not whole frames).
 */
export function positionStepPerChunk(m: PositionManifest): number | null {
  const s = m.stream;
  if (!s || s.positions.scheme !== 'wrap' || m.leftContextFrames <= 0 || s.leftContextMs <= 0) return null;
  const step = (s.chunkMs * m.leftContextFrames) / s.leftContextMs;
  return Number.isInteger(step) && step > 0 ? step : null;
}

/**
 * The states a new level's session must start from, instead of zeros, to replay from feature frame `startFrame`
 * (a chunk boundary) of the current stream: the position counter the stream has reached there,
 * (chunks so far x step) mod table, as the old level's counter had. Every other state starts at zero.
 */
export function replaySeedStates(m: PositionManifest, specs: readonly StateSpec[], startFrame: number): StateTensor[] {
  const step = positionStepPerChunk(m);
  const spec = specs.find((s) => s.name === POSITION_STATE);
  if (step === null || !m.stream || !spec || spec.dtype !== 'int64' || spec.shape.reduce((a, b) => a * b, 1) !== 1) return [];
  const chunks = Math.floor(startFrame / m.segmentFrames);
  const state = zeroState(spec);
  (state.data as BigInt64Array)[0] = BigInt((chunks * step) % m.stream.positions.table);
  return [state];
}

/**
 * The last `capacity` feature frames, copied into one preallocated buffer: memory stays at capacity x dim floats
 * however long the stream runs, and a caller reusing its frame buffers after a push cannot corrupt the history.
 */
export class FrameRing {
  readonly capacity: number;
  readonly dim: number;
  private readonly data: Float32Array;
  /** slot of the oldest frame */
  private head = 0;
  private count = 0;

  constructor(capacity: number, dim: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`ring capacity must be an integer >= 0, got ${capacity}`);
    this.capacity = capacity;
    this.dim = dim;
    this.data = new Float32Array(capacity * dim);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held, independent of how many frames went through (the bound the tests check). */
  get byteLength(): number {
    return this.data.byteLength;
  }

  push(frames: readonly Float32Array[]): void {
    if (this.capacity === 0) return;
    // Only the newest `capacity` frames can survive this push: skip the others instead of writing them twice.
    for (let i = Math.max(0, frames.length - this.capacity); i < frames.length; i++) {
      const f = frames[i] as Float32Array;
      if (f.length !== this.dim) throw new RangeError(`feature frame has ${f.length} values, expected ${this.dim}`);
      const slot = (this.head + this.count) % this.capacity;
      this.data.set(f, slot * this.dim);
      if (this.count < this.capacity) this.count++;
      else this.head = (this.head + 1) % this.capacity;
    }
  }

  /** Copies of the held frames, oldest first. */
  frames(): Float32Array[] {
    return Array.from({ length: this.count }, (_, i) => {
      const slot = (this.head + i) % this.capacity;
      return this.data.slice(slot * this.dim, (slot + 1) * this.dim);
    });
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }
}

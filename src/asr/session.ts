// A level's streaming encoder session: buffers feature frames, cuts them into chunks exactly as
// docs/contracts.md §3 prescribes, carries the encoder states, and pads/truncates at the end of the stream.

import type { EncoderModel, EncoderStep, StateTensor } from './engine';
import { zeroState } from './engine';
import type { Manifest, StateSpec } from './types';

export interface ChunkGeometry {
  segmentFrames: number;
  chunkInputFrames: number;
  encoderFramesPerChunk: number;
  subsampling: number;
  featureDim: number;
  padValue: number;
}

export function geometryOf(m: Manifest): ChunkGeometry {
  return {
    segmentFrames: m.segmentFrames,
    chunkInputFrames: m.chunkInputFrames,
    encoderFramesPerChunk: m.encoderFramesPerChunk,
    subsampling: m.subsampling,
    featureDim: m.featureDim,
    padValue: m.padValue,
  };
}

export interface ChunkPlan {
  /** real feature frames passed in (the rest is padValue) */
  realFrames: number;
  padFrames: number;
  /** leading encoder output frames that correspond to real audio */
  validEncoderFrames: number;
  /** feature frames the next chunk starts after */
  consume: number;
}

/**
 * What to run next given `buffered` frames starting at the current chunk start. Mid-stream a chunk needs its full
 * window (new frames + look-ahead). At the end of the stream every remaining frame is covered: the window is padded
 * and only encoder frames that start inside real audio (4e < T) are kept. Null when nothing (more) can run.
 */
export function planChunk(buffered: number, g: ChunkGeometry, endOfStream: boolean): ChunkPlan | null {
  if (buffered >= g.chunkInputFrames) {
    return { realFrames: g.chunkInputFrames, padFrames: 0, validEncoderFrames: g.encoderFramesPerChunk, consume: g.segmentFrames };
  }
  if (!endOfStream || buffered <= 0) return null;
  const fresh = Math.min(buffered, g.segmentFrames);
  return {
    realFrames: buffered,
    padFrames: g.chunkInputFrames - buffered,
    validEncoderFrames: Math.min(g.encoderFramesPerChunk, Math.ceil(fresh / g.subsampling)),
    consume: fresh,
  };
}

/**
 * How a replay cuts `history` frames into chunks: whole chunks aligned to the END of the history, so the last one
 * ends exactly where the frames still to be decoded start (a leading remainder, if any, is skipped: it would need a
 * chunk that straddles frames already replayed).
 */
export function replayPlan(history: number, g: ChunkGeometry): { skip: number; chunks: number } {
  const chunks = Math.floor(Math.max(0, history) / g.segmentFrames);
  return { skip: history - chunks * g.segmentFrames, chunks };
}

/** The encoder input [chunkInputFrames, featureDim] for frames[start ..]: what is missing is padValue (stream end). */
export function chunkInput(frames: readonly Float32Array[], start: number, g: ChunkGeometry): Float32Array {
  const input = new Float32Array(g.chunkInputFrames * g.featureDim).fill(g.padValue);
  const real = Math.min(g.chunkInputFrames, frames.length - start);
  for (let i = 0; i < real; i++) input.set(frames[start + i] as Float32Array, i * g.featureDim);
  return input;
}

export interface ChunkOutput {
  /** valid encoder rows [n, J] flattened */
  encoderOut: Float32Array;
  frames: number;
  /** the new (non-look-ahead) feature frames this chunk consumed, for endpointing */
  consumed: Float32Array[];
}

export class EncoderSession {
  readonly geometry: ChunkGeometry;
  private readonly encoder: EncoderModel;
  private readonly stateSpecs: readonly StateSpec[];
  private states: StateTensor[];
  private pending: Float32Array[] = [];

  constructor(encoder: EncoderModel, stateSpecs: readonly StateSpec[], geometry: ChunkGeometry) {
    this.encoder = encoder;
    this.stateSpecs = stateSpecs;
    this.geometry = geometry;
    this.states = stateSpecs.map(zeroState);
  }

  push(frames: readonly Float32Array[]): void {
    for (const f of frames) {
      if (f.length !== this.geometry.featureDim) {
        throw new RangeError(`feature frame has ${f.length} values, expected ${this.geometry.featureDim}`);
      }
      this.pending.push(f);
    }
  }

  get bufferedFrames(): number {
    return this.pending.length;
  }

  /** Runs the next chunk if one is ready (or, at end of stream, if any frame is left); null otherwise. */
  async step(endOfStream: boolean): Promise<ChunkOutput | null> {
    const g = this.geometry;
    const plan = planChunk(this.pending.length, g, endOfStream);
    if (!plan) return null;
    // chunkInput copies min(chunkInputFrames, buffered) frames: exactly plan.realFrames in both cases of planChunk.
    const out = await this.run(chunkInput(this.pending, 0, g));
    const frames = Math.min(plan.validEncoderFrames, out.frames);
    const rowSize = out.frames > 0 ? out.encoderOut.length / out.frames : 0;
    const consumed = this.pending.splice(0, plan.consume);
    return { encoderOut: out.encoderOut.subarray(0, frames * rowSize), frames, consumed };
  }

  /**
   * Rebuilds the encoder state from frames another level already decoded (see replay.ts): runs `history` chunk by
   * chunk on the same grid step() used, outputs discarded, since their text was already emitted. `following` are the
   * frames after the history (the old session's pending ones); the last replayed chunk takes its look-ahead from
   * them, padded only if the stream ended before it. `seeds` replace zero states first (replaySeedStates: the
   * stream's position counter), and apply even when there is nothing to replay. Nothing is buffered or consumed:
   * pending frames are untouched, so a replay can neither lose nor duplicate audio. Returns the frames replayed.
   */
  async replay(history: readonly Float32Array[], following: readonly Float32Array[], seeds: readonly StateTensor[] = []): Promise<number> {
    this.seed(seeds);
    const g = this.geometry;
    const { skip, chunks } = replayPlan(history.length, g);
    const lookahead = g.chunkInputFrames - g.segmentFrames;
    const frames = [...history.slice(skip), ...following.slice(0, lookahead)];
    for (let c = 0; c < chunks; c++) await this.run(chunkInput(frames, c * g.segmentFrames, g));
    return chunks * g.segmentFrames;
  }

  /** Replaces states by name (e.g. a position counter that must not restart at zero); specs must match exactly. */
  private seed(seeds: readonly StateTensor[]): void {
    for (const s of seeds) {
      const i = this.states.findIndex((t) => t.spec.name === s.spec.name);
      const cur = this.states[i];
      if (!cur || cur.spec.dtype !== s.spec.dtype || cur.spec.shape.join() !== s.spec.shape.join()) {
        throw new Error(`seed state ${s.spec.name} does not match this level's states`);
      }
      this.states[i] = { spec: cur.spec, data: s.data.slice() as Float32Array | BigInt64Array };
    }
  }

  /** The buffered frames, not consumed (a switch replays into a new session before it takes them over). */
  peekPending(): readonly Float32Array[] {
    return this.pending.slice();
  }

  /** Hands over the not-yet-consumed frames (including look-ahead already seen) and empties the buffer. */
  takePending(): Float32Array[] {
    const p = this.pending;
    this.pending = [];
    return p;
  }

  /** One encoder call on the carried states; the states move on only if the call succeeded. */
  private async run(input: Float32Array): Promise<EncoderStep> {
    const out = await this.encoder.run(input, this.states);
    if (out.states.length !== this.states.length) throw new Error(`encoder returned ${out.states.length} states, expected ${this.states.length}`);
    this.states = out.states;
    return out;
  }

  /** New stream: zero states, empty buffer. */
  reset(): void {
    this.pending = [];
    this.states = this.stateSpecs.map(zeroState);
  }
}

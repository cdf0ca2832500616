// A level's streaming encoder session: buffers feature frames, cuts them into chunks exactly as
// docs/contracts.md §3 prescribes, carries the encoder states, and pads/truncates at the end of the stream.

import type { EncoderModel, StateTensor } from './engine';
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
    const input = new Float32Array(g.chunkInputFrames * g.featureDim).fill(g.padValue);
    for (let i = 0; i < plan.realFrames; i++) input.set(this.pending[i] as Float32Array, i * g.featureDim);
    const out = await this.encoder.run(input, this.states);
    if (out.states.length !== this.states.length) throw new Error(`encoder returned ${out.states.length} states, expected ${this.states.length}`);
    this.states = out.states;
    const frames = Math.min(plan.validEncoderFrames, out.frames);
    const rowSize = out.frames > 0 ? out.encoderOut.length / out.frames : 0;
    const consumed = this.pending.splice(0, plan.consume);
    return { encoderOut: out.encoderOut.subarray(0, frames * rowSize), frames, consumed };
  }

  /** Hands over the not-yet-consumed frames (including look-ahead already seen) and empties the buffer. */
  takePending(): Float32Array[] {
    const p = this.pending;
    this.pending = [];
    return p;
  }

  /** New stream: zero states, empty buffer. */
  reset(): void {
    this.pending = [];
    this.states = this.stateSpecs.map(zeroState);
  }
}

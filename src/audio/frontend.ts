// Streaming log-mel front end, defined by docs/contracts.md §1 and the FrontendSpec in models/frontend.json.
// Frame i covers samples [i*hop, i*hop + winLength) (no centring), so a frame is complete as soon as its last sample
// arrives and the stream needs no look-ahead.

import type { FrontendSpec } from '../asr/types';
import { RealFft } from './fft';
import { melFilterbank, type MelFilter } from './mel';

export class FrontendSpecError extends Error {
  constructor(
    readonly field: keyof FrontendSpec,
    message: string,
  ) {
    super(`frontend spec: ${String(field)}: ${message}`);
    this.name = 'FrontendSpecError';
  }
}

/** Rejects specs this implementation would silently get wrong. */
export function checkFrontendSpec(spec: FrontendSpec): void {
  if (spec.center !== false) throw new FrontendSpecError('center', 'only center=false is streamable');
  if (spec.window !== 'hann_periodic') throw new FrontendSpecError('window', `unsupported ${String(spec.window)}`);
  if (spec.preemphasis !== 0) throw new FrontendSpecError('preemphasis', 'must be 0');
  if (spec.dither !== 0) throw new FrontendSpecError('dither', 'must be 0');
  if (spec.melScale !== 'htk') throw new FrontendSpecError('melScale', 'only htk');
  if (spec.melNorm !== null) throw new FrontendSpecError('melNorm', 'only null (no area normalisation)');
  if (spec.log !== 'natural') throw new FrontendSpecError('log', 'only natural log');
  if (spec.winLength > spec.nFft) throw new FrontendSpecError('winLength', 'must be <= nFft');
  if (!(spec.hopLength > 0)) throw new FrontendSpecError('hopLength', 'must be > 0');
}

export function hannPeriodic(length: number): Float64Array {
  const w = new Float64Array(length);
  for (let n = 0; n < length; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / length);
  return w;
}

export class LogMelFrontend {
  readonly spec: FrontendSpec;
  private readonly fft: RealFft;
  private readonly window: Float64Array;
  private readonly filters: MelFilter[];
  private readonly frame: Float64Array;
  private readonly power: Float64Array;
  /** Samples not yet fully consumed; buffer[0] is absolute sample index `bufferStart`. */
  private buffer = new Float32Array(0);
  private bufferStart = 0;
  private nextFrame = 0;

  constructor(spec: FrontendSpec) {
    checkFrontendSpec(spec);
    this.spec = spec;
    this.fft = new RealFft(spec.nFft);
    this.window = hannPeriodic(spec.winLength);
    const nFreqs = spec.nFft / 2 + 1;
    this.filters = melFilterbank(nFreqs, spec.fMin, spec.fMax, spec.nMels, spec.sampleRate);
    this.frame = new Float64Array(spec.winLength);
    this.power = new Float64Array(nFreqs);
  }

  /** Frames emitted so far (= index of the next frame). */
  get framesEmitted(): number {
    return this.nextFrame;
  }

  /** Pushes 16 kHz mono samples; returns every frame completed by them (each a Float32Array of nMels). */
  push(samples: Float32Array): Float32Array[] {
    const merged = new Float32Array(this.buffer.length + samples.length);
    merged.set(this.buffer);
    merged.set(samples, this.buffer.length);
    this.buffer = merged;
    const { hopLength, winLength } = this.spec;
    const out: Float32Array[] = [];
    const end = this.bufferStart + this.buffer.length;
    while (this.nextFrame * hopLength + winLength <= end) {
      out.push(this.computeFrame(this.nextFrame * hopLength - this.bufferStart));
      this.nextFrame++;
    }
    const keepFrom = this.nextFrame * hopLength - this.bufferStart;
    if (keepFrom > 0) {
      this.buffer = this.buffer.slice(Math.min(keepFrom, this.buffer.length));
      this.bufferStart += keepFrom;
    }
    return out;
  }

  /** Forgets buffered audio and restarts frame numbering (a new stream). */
  reset(): void {
    this.buffer = new Float32Array(0);
    this.bufferStart = 0;
    this.nextFrame = 0;
  }

  private computeFrame(offset: number): Float32Array {
    const { frame, window, power, spec } = this;
    for (let n = 0; n < spec.winLength; n++) frame[n] = (this.buffer[offset + n] ?? 0) * (window[n] ?? 0);
    this.fft.powerSpectrum(frame, power);
    const exponent = spec.power / 2;
    if (exponent !== 1) for (let k = 0; k < power.length; k++) power[k] = (power[k] ?? 0) ** exponent;
    const features = new Float32Array(spec.nMels);
    for (let m = 0; m < spec.nMels; m++) {
      const f = this.filters[m] as MelFilter;
      let acc = 0;
      for (let j = 0; j < f.weights.length; j++) acc += (f.weights[j] ?? 0) * (power[f.start + j] ?? 0);
      features[m] = Math.log(acc + spec.logOffset);
    }
    return features;
  }
}

/** One-shot helper: all complete frames of a whole 16 kHz signal. */
export function computeFeatures(spec: FrontendSpec, samples: Float32Array): Float32Array[] {
  return new LogMelFrontend(spec).push(samples);
}

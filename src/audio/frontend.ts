// Streaming log-mel front end, defined by docs/contracts.md §1 and the FrontendSpec in models/frontend.json.
// Frame i covers samples [i*hop, i*hop + winLength) (no centring), so a frame is complete as soon as its last sample
// arrives and the stream needs no look-ahead. Two variants, chosen by the spec's fields:
//   version 1: HTK mel, no area norm, ln(mel + logOffset)                       (models/frontend.json)
//   version 2: Whisper's log-mel: Slaney mel + Slaney norm,
//              (max(log10(max(mel, logOffset)), logFloor) + 4) / 4              (models/frontend-whisper.json)

import type { FrontendSpec } from '../asr/types';
import { createPowerSpectrum, type PowerSpectrum } from './fft';
import { melFilterbank, type MelFilter } from './mel';

export class FrontendSpecError extends Error {
  constructor(
    readonly field: keyof FrontendSpec,
    readonly problem: string,
  ) {
    super(`frontend spec: ${String(field)}: ${problem}`);
    this.name = 'FrontendSpecError';
  }
}

/**
 * Rejects specs this implementation would silently get wrong; accepts what training/omnisparse/features.py
 * (FrontendSpec.check_supported) accepts.
 */
export function checkFrontendSpec(spec: FrontendSpec): void {
  const fail = (field: keyof FrontendSpec, message: string): never => {
    throw new FrontendSpecError(field, message);
  };
  if (spec.center !== false) fail('center', 'only center=false is streamable');
  if (spec.window !== 'hann_periodic') fail('window', `unsupported ${String(spec.window)}`);
  if (spec.preemphasis !== 0) fail('preemphasis', 'must be 0');
  if (spec.dither !== 0) fail('dither', 'must be 0');
  if (spec.log !== 'natural' && spec.log !== 'whisper') fail('log', `must be natural or whisper, got ${String(spec.log)}`);
  const whisper = spec.log === 'whisper';
  const [scale, norm] = whisper ? ['slaney', 'slaney'] : ['htk', null];
  if (spec.melScale !== scale) fail('melScale', `must be ${scale} with the ${spec.log} log, got ${String(spec.melScale)}`);
  if (spec.melNorm !== norm) fail('melNorm', `must be ${String(norm)} with the ${spec.log} log, got ${String(spec.melNorm)}`);
  const hasFloor = spec.logFloor !== undefined && spec.logFloor !== null;
  if (whisper && !(typeof spec.logFloor === 'number' && Number.isFinite(spec.logFloor))) {
    fail('logFloor', 'the whisper log needs a finite logFloor');
  }
  if (!whisper && hasFloor) fail('logFloor', 'only the whisper log takes a logFloor');
  if (!(spec.logOffset > 0)) fail('logOffset', 'must be > 0');
  if (!Number.isInteger(spec.nFft) || spec.nFft < 2) fail('nFft', 'must be an integer >= 2');
  if (spec.winLength > spec.nFft) fail('winLength', 'must be <= nFft');
  if (!(spec.hopLength > 0)) fail('hopLength', 'must be > 0');
}

/** mel energy -> feature value, as the spec's `log` says. */
export type LogCompression = (mel: number) => number;

export const naturalLog =
  (logOffset: number): LogCompression =>
  (mel) =>
    Math.log(mel + logOffset);

export const whisperLog =
  (logOffset: number, logFloor: number): LogCompression =>
  (mel) =>
    (Math.max(Math.log10(Math.max(mel, logOffset)), logFloor) + 4) / 4;

export function logCompression(spec: FrontendSpec): LogCompression {
  return spec.log === 'whisper' ? whisperLog(spec.logOffset, spec.logFloor ?? NaN) : naturalLog(spec.logOffset);
}

/**
 * Feature value -> natural log of the mel energy (the inverse of logCompression above its floor), so code that
 * reads loudness from features (endpointing, speech onset) works in one unit for every front-end version.
 */
export function featureToNaturalLog(spec: FrontendSpec): (feature: number) => number {
  if (spec.log === 'whisper') return (f) => (4 * f - 4) * Math.LN10; // f = (log10(mel) + 4) / 4
  return (f) => f; // ln(mel + logOffset): the offset is far below speech energies
}

/** Feature value of digital silence (mel = 0): what the stream is padded with (manifest `padValue`). */
export function silenceValue(spec: FrontendSpec): number {
  checkFrontendSpec(spec);
  return logCompression(spec)(0);
}

/** Number of power-spectrum bins, floor(nFft / 2) + 1: 257 for version 1, 201 for version 2. */
export const spectrumBins = (spec: FrontendSpec): number => Math.floor(spec.nFft / 2) + 1;

export function hannPeriodic(length: number): Float64Array {
  const w = new Float64Array(length);
  for (let n = 0; n < length; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / length);
  return w;
}

export class LogMelFrontend {
  readonly spec: FrontendSpec;
  private readonly fft: PowerSpectrum;
  private readonly window: Float64Array;
  private readonly filters: MelFilter[];
  private readonly compress: LogCompression;
  private readonly frame: Float64Array;
  private readonly power: Float64Array;
  /** Samples not yet fully consumed; buffer[0] is absolute sample index `bufferStart`. */
  private buffer = new Float32Array(0);
  private bufferStart = 0;
  private nextFrame = 0;

  constructor(spec: FrontendSpec) {
    checkFrontendSpec(spec);
    this.spec = spec;
    this.fft = createPowerSpectrum(spec.nFft);
    this.window = hannPeriodic(spec.winLength);
    const nFreqs = spectrumBins(spec);
    this.filters = melFilterbank(nFreqs, spec.fMin, spec.fMax, spec.nMels, spec.sampleRate, {
      scale: spec.melScale,
      norm: spec.melNorm,
    });
    this.compress = logCompression(spec);
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
      features[m] = this.compress(acc);
    }
    return features;
  }
}

/** One-shot helper: all complete frames of a whole 16 kHz signal. */
export function computeFeatures(spec: FrontendSpec, samples: Float32Array): Float32Array[] {
  return new LogMelFrontend(spec).push(samples);
}

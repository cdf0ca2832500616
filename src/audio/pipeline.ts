// Audio at any rate -> 16 kHz -> log-mel frames. The one path every source goes through: microphone blocks and
// decoded files in the browser (capture.ts) and WAV files in the CLI.

import type { FrontendSpec } from '../asr/types';
import { LogMelFrontend } from './frontend';
import { StreamingResampler, downmixToMono } from './resampler';

export class FeaturePipeline {
  private readonly resampler: StreamingResampler;
  private readonly frontend: LogMelFrontend;

  constructor(inputRate: number, spec: FrontendSpec) {
    this.resampler = new StreamingResampler(inputRate, spec.sampleRate);
    this.frontend = new LogMelFrontend(spec);
  }

  /** Mono samples at the input rate. */
  push(mono: Float32Array): Float32Array[] {
    return this.frontend.push(this.resampler.push(mono));
  }

  /** Planar channels at the input rate (downmixed to mono). */
  pushChannels(channels: readonly Float32Array[]): Float32Array[] {
    return this.push(downmixToMono(channels));
  }

  /** End of input: the resampler's tail; a trailing partial frame (< winLength samples) is dropped by design. */
  flush(): Float32Array[] {
    return this.frontend.push(this.resampler.flush());
  }
}

/** Concatenates frames into one transferable buffer [n, dim]. */
export function packFrames(frames: readonly Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(frames.length * dim);
  frames.forEach((f, i) => out.set(f, i * dim));
  return out;
}

export function unpackFrames(packed: Float32Array, dim: number): Float32Array[] {
  const frames: Float32Array[] = [];
  for (let i = 0; i + dim <= packed.length; i += dim) frames.push(packed.subarray(i, i + dim));
  return frames;
}

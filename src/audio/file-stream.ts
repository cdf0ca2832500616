// WAV files in the browser, read as the CLI reads them: piece by piece through the CLI's WAV reader into the app's
// FeaturePipeline. Same samples as the CLI (no browser resampling or decoding in between), memory of one piece however
// long the file, and a file cut short is reported instead of silently decoded as a fragment.

import { RecognizerError } from '../asr/errors';
import type { FrontendSpec } from '../asr/types';
import { FeaturePipeline } from './pipeline';
import { WavError, WavStreamDecoder } from './wav';

/** Whether a file starts like RIFF/WAVE (sniffed from its bytes: names and MIME types lie). */
export function isWav(head: Uint8Array): boolean {
  const at = (i: number, t: string): boolean => [...t].every((c, k) => head[i + k] === c.charCodeAt(0));
  return head.length >= 12 && at(0, 'RIFF') && at(8, 'WAVE');
}

export interface StreamedAudio {
  sampleRate: number;
  samples: number;
  warnings: string[];
}

/**
 * A WAV file read piece by piece (the CLI's reader) through the FeaturePipeline: memory is one piece however long
 * the file, and the samples are exactly the CLI's. `onFrames` may return a promise, awaited before the next piece
 * is read: that is the caller's backpressure.
 */
export async function featuresFromWavStream(
  stream: ReadableStream<Uint8Array>,
  spec: FrontendSpec,
  onFrames: (frames: Float32Array[]) => unknown,
  pieceSeconds = 1,
): Promise<StreamedAudio> {
  const wav = new WavStreamDecoder();
  const reader = stream.getReader();
  let pipeline: FeaturePipeline | null = null;
  let sampleRate = 0;
  let samples = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const audio = wav.push(value);
      const n = audio.channels[0]?.length ?? 0;
      if (n === 0) continue;
      sampleRate = audio.sampleRate;
      pipeline ??= new FeaturePipeline(sampleRate, spec);
      const piece = Math.max(1, Math.round(sampleRate * pieceSeconds));
      for (let pos = 0; pos < n; pos += piece) {
        const frames = pipeline.pushChannels(audio.channels.map((c) => c.subarray(pos, pos + piece)));
        if (frames.length > 0) await onFrames(frames);
      }
      samples += n;
    }
    const { warnings } = wav.end();
    sampleRate ||= wav.info?.sampleRate ?? 0;
    const tail = pipeline?.flush() ?? [];
    if (tail.length > 0) await onFrames(tail);
    return { sampleRate, samples, warnings };
  } catch (err) {
    await reader.cancel().catch(() => {});
    if (err instanceof WavError) throw new RecognizerError('decode-failed', `cannot read this WAV file: ${err.message}`);
    throw err;
  } finally {
    reader.releaseLock();
  }
}

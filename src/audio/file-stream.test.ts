import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RecognizerError } from '../asr/errors';
import type { FrontendSpec } from '../asr/types';
import { featuresFromWavStream, isWav } from './file-stream';
import { FeaturePipeline } from './pipeline';
import { encodeWav, parseWav } from './wav';

const spec = JSON.parse(readFileSync(fileURLToPath(new URL('../../models/frontend.json', import.meta.url)), 'utf8')) as FrontendSpec;

/** The bytes as a browser File stream hands them out: in pieces of `size` (odd, so frames straddle them). */
function streamOf(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let pos = 0;
  return new ReadableStream({
    pull(c) {
      if (pos >= bytes.length) return c.close();
      c.enqueue(bytes.slice(pos, pos + size));
      pos += size;
    },
  });
}

const tone = (n: number, rate: number): Float32Array => Float32Array.from({ length: n }, (_, i) => 0.4 * Math.sin((2 * Math.PI * 440 * i) / rate));

describe('featuresFromWavStream', () => {
  it('gives the frames of the whole file through one pipeline, however the bytes arrive, waiting on the sink', async () => {
    const rate = 22050;
    const left = tone(rate * 3 + 123, rate);
    const right = left.map((v) => -0.5 * v);
    const bytes = encodeWav([left, right], rate, 16);
    // the reference: the file's 16-bit samples decoded whole (wav.test.ts tests the reader) through one pipeline
    const want = new FeaturePipeline(rate, spec);
    const whole = parseWav(bytes);
    const wantFrames = [...want.pushChannels(whole.channels), ...want.flush()];

    const got: Float32Array[] = [];
    let busy = false;
    const r = await featuresFromWavStream(streamOf(bytes, 4099), spec, async (frames) => {
      expect(busy).toBe(false); // the next piece is read only once the sink is done with this one
      busy = true;
      await new Promise((res) => setTimeout(res, 1));
      got.push(...frames);
      busy = false;
    });
    expect(r).toEqual({ sampleRate: rate, samples: left.length, warnings: [] });
    expect(got.length).toBe(wantFrames.length);
    got.forEach((f, i) => expect(Array.from(f)).toEqual(Array.from(wantFrames[i]!)));
  });

  it('reports a file cut short, and a file with no samples as 0 samples', async () => {
    const bytes = encodeWav([tone(16000, 16000)], 16000, 16);
    const cut = await featuresFromWavStream(streamOf(bytes.slice(0, 44 + 16000), 1000), spec, () => {});
    expect(cut.samples).toBe(8000);
    expect(cut.warnings.join(' ')).toMatch(/cut short|truncat/i);
    const hollow = await featuresFromWavStream(streamOf(encodeWav([new Float32Array(0)], 16000, 16), 7), spec, () => {});
    expect(hollow).toEqual({ sampleRate: 16000, samples: 0, warnings: [] });
  });

  it('turns a broken WAV into a decode-failed error', async () => {
    const bytes = encodeWav([tone(100, 16000)], 16000, 16);
    const noFmt = new Uint8Array([...bytes.slice(0, 12), ...new TextEncoder().encode('junk'), 0, 0, 0, 0]);
    const err = await featuresFromWavStream(streamOf(noFmt, 5), spec, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecognizerError);
    expect((err as RecognizerError).code).toBe('decode-failed');
    expect((err as RecognizerError).message).toMatch(/^cannot read this WAV file: /);
  });
});

describe('isWav', () => {
  it('sniffs RIFF/WAVE from the bytes', () => {
    expect(isWav(encodeWav([new Float32Array(4)], 16000, 16))).toBe(true);
    expect(isWav(new TextEncoder().encode('RIFF\0\0\0\0AVI LIST'))).toBe(false);
    expect(isWav(new TextEncoder().encode('ID3\x04'))).toBe(false);
    expect(isWav(new Uint8Array(0))).toBe(false);
  });
});

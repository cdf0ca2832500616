import { describe, expect, it } from 'vitest';
import { encodeWav, parseWav, WavError } from './wav';

const ramp = Float32Array.from({ length: 50 }, (_, i) => (i - 25) / 26);

describe('parseWav', () => {
  for (const bits of [8, 16, 24, 32, 'float'] as const) {
    it(`reads ${bits}-bit stereo back within quantisation error`, () => {
      const right = ramp.map((x) => -x / 2);
      const wav = parseWav(encodeWav([ramp, right], 22050, bits));
      expect(wav.sampleRate).toBe(22050);
      expect(wav.channels).toHaveLength(2);
      const tol = bits === 8 ? 1 / 64 : 1e-4;
      wav.channels[0]?.forEach((v, i) => expect(Math.abs(v - (ramp[i] ?? 0))).toBeLessThan(tol));
      wav.channels[1]?.forEach((v, i) => expect(Math.abs(v - (right[i] ?? 0))).toBeLessThan(tol));
    });
  }

  it('skips unknown chunks before data and handles odd chunk padding', () => {
    const plain = encodeWav([ramp], 16000, 16);
    const extra = new Uint8Array([...'LIST'].map((c) => c.charCodeAt(0)).concat([3, 0, 0, 0, 1, 2, 3, 0]));
    const bytes = new Uint8Array(plain.length + extra.length);
    bytes.set(plain.subarray(0, 36));
    bytes.set(extra, 36);
    bytes.set(plain.subarray(36), 36 + extra.length);
    expect(parseWav(bytes).channels[0]?.length).toBe(50);
  });

  it('rejects non-WAV input and unsupported formats with WavError', () => {
    expect(() => parseWav(new TextEncoder().encode('hello, this is not a wav'))).toThrow(WavError);
    const alaw = encodeWav([ramp], 8000, 16);
    new DataView(alaw.buffer).setUint16(20, 6, true);
    expect(() => parseWav(alaw)).toThrow(/format tag 6/);
  });
});

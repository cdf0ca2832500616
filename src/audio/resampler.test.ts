import { describe, expect, it } from 'vitest';
import { RealFft } from './fft';
import { StreamingResampler, concatFloat32, downmixInterleaved, downmixToMono, resample } from './resampler';

function tone(freq: number, rate: number, seconds: number, amp = 0.5): Float32Array {
  const n = Math.round(rate * seconds);
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate));
}

/** Power spectrum (Hann-windowed, 4096 points) of a centred slice, to look at peaks and leakage. */
function spectrum(x: Float32Array): Float64Array {
  const n = 4096;
  const start = Math.floor((x.length - n) / 2);
  const frame = Float64Array.from({ length: n }, (_, i) => (x[start + i] ?? 0) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n)));
  const out = new Float64Array(n / 2 + 1);
  new RealFft(n).powerSpectrum(frame, out);
  return out;
}

const rms = (x: Float32Array): number => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);

describe('StreamingResampler', () => {
  for (const inRate of [44100, 48000, 8000, 22050, 96000]) {
    it(`keeps a 1 kHz tone at 1 kHz (${inRate} -> 16000)`, () => {
      const out = resample(tone(1000, inRate, 1), inRate, 16000);
      expect(Math.abs(out.length - 16000)).toBeLessThanOrEqual(1);
      const p = spectrum(out);
      let peak = 0;
      for (let k = 1; k < p.length; k++) if ((p[k] ?? 0) > (p[peak] ?? 0)) peak = k;
      expect(Math.abs((peak * 16000) / 4096 - 1000)).toBeLessThan(16000 / 4096);
      // pass band gain within 0.1 dB
      const mid = out.subarray(2000, 14000);
      expect(20 * Math.log10(rms(mid) / (0.5 / Math.SQRT2))).toBeCloseTo(0, 1);
    });
  }

  for (const inRate of [44100, 48000]) {
    it(`attenuates a 10 kHz tone by >= 40 dB (${inRate} -> 16000), nothing aliases below 8 kHz`, () => {
      const out = resample(tone(10000, inRate, 1), inRate, 16000);
      const mid = out.subarray(2000, 14000);
      const attenuationDb = 20 * Math.log10(rms(mid) / (0.5 / Math.SQRT2));
      expect(attenuationDb).toBeLessThan(-40);
    });
  }

  it('chunked pushes equal one-shot output exactly', () => {
    const input = tone(1234, 44100, 0.5);
    for (let i = 0; i < input.length; i += 7) input[i] = (input[i] ?? 0) + 0.1; // make it less regular
    const oneShot = resample(input, 44100, 16000);
    const r = new StreamingResampler(44100, 16000);
    const parts: Float32Array[] = [];
    const sizes = [1, 128, 3, 1000, 441, 4096, 17];
    let pos = 0;
    for (let i = 0; pos < input.length; i++) {
      const n = sizes[i % sizes.length] ?? 1;
      parts.push(r.push(input.subarray(pos, pos + n)));
      pos += n;
    }
    parts.push(r.flush());
    const chunked = concatFloat32(parts);
    expect(chunked.length).toBe(oneShot.length);
    expect(Array.from(chunked)).toEqual(Array.from(oneShot));
  });

  for (const inRate of [48000, 44100, 8000, 22050]) {
    it(`exact polyphase bank matches the interpolated kernel table (${inRate} -> 16000)`, () => {
      const input = tone(700, inRate, 0.3);
      for (let i = 0; i < input.length; i += 5) input[i] = (input[i] ?? 0) - 0.2;
      const exact = new StreamingResampler(inRate, 16000);
      const table = new StreamingResampler(inRate, 16000, { exactPhases: false });
      expect(exact.exactPhases).toBe(true);
      expect(table.exactPhases).toBe(false);
      const a = concatFloat32([exact.push(input), exact.flush()]);
      const b = concatFloat32([table.push(input), table.flush()]);
      expect(a.length).toBe(b.length);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
      // the table's linear interpolation error, nothing more (0 where every phase falls on the table's grid)
      expect(worst).toBeLessThan(1e-4);
    });
  }

  it('chunked pushes equal one-shot output exactly on the interpolated path too', () => {
    const inRate = 44100 * Math.SQRT2;
    const input = tone(900, inRate, 0.3);
    const oneShot = resample(input, inRate, 16000);
    const r = new StreamingResampler(inRate, 16000);
    expect(r.exactPhases).toBe(false);
    const parts: Float32Array[] = [];
    for (let pos = 0, i = 0; pos < input.length; i++) {
      const n = [5, 300, 1, 777][i % 4] ?? 1;
      parts.push(r.push(input.subarray(pos, pos + n)));
      pos += n;
    }
    parts.push(r.flush());
    expect(Array.from(concatFloat32(parts))).toEqual(Array.from(oneShot));
  });

  it('passes 16 kHz through untouched', () => {
    const x = tone(500, 16000, 0.1);
    expect(Array.from(resample(x, 16000, 16000))).toEqual(Array.from(x));
  });

  it('handles an irrational ratio and produces ceil(n * out / in) samples', () => {
    const inRate = 44100 * Math.SQRT2;
    const out = resample(tone(800, inRate, 0.3), inRate, 16000);
    expect(out.length).toBe(Math.ceil((Math.round(inRate * 0.3) * 16000) / inRate));
  });
});

describe('downmix', () => {
  it('averages planar and interleaved channels', () => {
    const l = Float32Array.from([1, 0, 0.5]);
    const r = Float32Array.from([0, 1, -0.5]);
    expect(Array.from(downmixToMono([l, r]))).toEqual([0.5, 0.5, 0]);
    expect(Array.from(downmixInterleaved(Float32Array.from([1, 0, 0, 1, 0.5, -0.5]), 2))).toEqual([0.5, 0.5, 0]);
  });
});

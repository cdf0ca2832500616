import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FrontendSpec } from '../asr/types';
import { MixedRadixFft, MixedRadixRealFft, RealFft, createPowerSpectrum, fftRadices } from './fft';
import {
  FrontendSpecError,
  LogMelFrontend,
  checkFrontendSpec,
  computeFeatures,
  silenceValue,
  spectrumBins,
  whisperLog,
} from './frontend';
import { hzToMelHtk, hzToMelSlaney, melFilterbankDense, melToHzHtk, melToHzSlaney } from './mel';

const repo = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const spec = JSON.parse(readFileSync(repo('models/frontend.json'), 'utf8')) as FrontendSpec;
/** version 2: Whisper's log-mel, streaming */
const whisperSpec = JSON.parse(readFileSync(repo('models/frontend-whisper.json'), 'utf8')) as FrontendSpec;

interface GoldenCase {
  name: string;
  audio: number[];
  features: number[][];
}
interface Golden {
  spec: FrontendSpec;
  tolerance?: number;
  audio: number[];
  features: number[][];
  cases?: GoldenCase[];
}

function maxAbsDiff(got: Float32Array[], want: number[][]): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  got.forEach((row, i) => row.forEach((v, m) => (worst = Math.max(worst, Math.abs(v - (want[i]?.[m] ?? NaN))))));
  return worst;
}

describe('RealFft', () => {
  it('matches a naive DFT power spectrum', () => {
    const n = 64;
    const x = Array.from({ length: 50 }, (_, i) => Math.sin(i * 0.7) + 0.3 * Math.cos(i * 2.1) + (i % 5) * 0.01);
    const out = new Float64Array(n / 2 + 1);
    new RealFft(n).powerSpectrum(x, out);
    for (let k = 0; k <= n / 2; k++) {
      let re = 0;
      let im = 0;
      x.forEach((v, t) => {
        re += v * Math.cos((2 * Math.PI * k * t) / n);
        im -= v * Math.sin((2 * Math.PI * k * t) / n);
      });
      expect(out[k]).toBeCloseTo(re * re + im * im, 9);
    }
  });
  it('rejects sizes that are not powers of two', () => {
    expect(() => new RealFft(400)).toThrow(RangeError);
  });
});

/** |DFT_n(x zero-padded to n)|^2, k = 0..floor(n/2), the slow way. */
function naivePower(x: readonly number[], n: number): number[] {
  return Array.from({ length: Math.floor(n / 2) + 1 }, (_, k) => {
    let re = 0;
    let im = 0;
    x.forEach((v, t) => {
      re += v * Math.cos((2 * Math.PI * k * t) / n);
      im -= v * Math.sin((2 * Math.PI * k * t) / n);
    });
    return re * re + im * im;
  });
}

const testSignal = (length: number): number[] =>
  Array.from({ length }, (_, i) => Math.sin(i * 0.7) + 0.3 * Math.cos(i * 2.1) + (i % 5) * 0.01);

describe('mixed-radix FFT (any size)', () => {
  it('factors sizes into radices 4, 2, then odd primes', () => {
    expect(fftRadices(400)).toEqual([4, 4, 5, 5]);
    expect(fftRadices(200)).toEqual([4, 2, 5, 5]);
    expect(fftRadices(512)).toEqual([4, 4, 4, 4, 2]);
    expect(fftRadices(2 * 3 * 3 * 7 * 11)).toEqual([2, 3, 3, 7, 11]);
    expect(fftRadices(101)).toEqual([101]);
    expect(fftRadices(1)).toEqual([]);
    expect(() => fftRadices(0)).toThrow(RangeError);
  });

  for (const n of [400, 512, 200, 90, 30, 15, 49, 11, 7, 6, 3, 2]) {
    it(`real power spectrum matches a naive DFT for n = ${n}`, () => {
      const x = testSignal(Math.min(n, 50 + (n % 7))); // shorter than n when n is large: zero padding
      const out = new Float64Array(Math.floor(n / 2) + 1);
      new MixedRadixRealFft(n).powerSpectrum(x, out);
      const want = naivePower(x, n);
      const scale = Math.max(...want);
      want.forEach((w, k) => expect(Math.abs((out[k] ?? NaN) - w)).toBeLessThan(1e-10 * scale));
    });
  }

  it('uses the whole 400-sample frame (no padding, 201 bins)', () => {
    const x = testSignal(400);
    const out = new Float64Array(201);
    new MixedRadixRealFft(400).powerSpectrum(x, out);
    const want = naivePower(x, 400);
    want.forEach((w, k) => expect(out[k]).toBeCloseTo(w, 6));
  });

  it('complex transform matches a naive DFT', () => {
    const n = 60;
    const re = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + 0.1 * i);
    const im = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 1.91));
    const [xr, xi] = [Array.from(re), Array.from(im)];
    new MixedRadixFft(n).transform(re, im);
    for (let k = 0; k < n; k++) {
      let sr = 0;
      let si = 0;
      for (let t = 0; t < n; t++) {
        const a = (-2 * Math.PI * k * t) / n;
        sr += (xr[t] ?? 0) * Math.cos(a) - (xi[t] ?? 0) * Math.sin(a);
        si += (xr[t] ?? 0) * Math.sin(a) + (xi[t] ?? 0) * Math.cos(a);
      }
      expect(re[k]).toBeCloseTo(sr, 9);
      expect(im[k]).toBeCloseTo(si, 9);
    }
  });

  it('createPowerSpectrum keeps the radix-2 FFT for powers of two', () => {
    expect(createPowerSpectrum(512)).toBeInstanceOf(RealFft);
    expect(createPowerSpectrum(400)).toBeInstanceOf(MixedRadixRealFft);
  });
});

describe('Slaney mel filterbank (version 2)', () => {
  const fb = melFilterbankDense(201, whisperSpec.fMin, whisperSpec.fMax, whisperSpec.nMels, whisperSpec.sampleRate, {
    scale: 'slaney',
    norm: 'slaney',
  });
  it('is linear below 1 kHz and logarithmic above', () => {
    expect(hzToMelSlaney(500)).toBeCloseTo(7.5, 12);
    expect(hzToMelSlaney(1000)).toBeCloseTo(15, 12);
    expect(hzToMelSlaney(6400)).toBeCloseTo(42, 12); // 27 mel per factor 6.4
    for (const hz of [0, 333, 999.9, 1000, 4321, 8000]) expect(melToHzSlaney(hzToMelSlaney(hz))).toBeCloseTo(hz, 9);
  });
  it('matches torchaudio melscale_fbanks(201, 0, 8000, 80, 16000, norm="slaney", mel_scale="slaney")', () => {
    const torchaudio: [number, number, number][] = [
      [1, 0, 0.02486259490251541], [2, 0, 0], [2, 1, 0.022871768102049828], [3, 1, 0],
      [10, 10, 0.019908230751752853], [11, 10, 0.004954363685101271], [29, 30, 0.015856074169278145],
      [30, 30, 0.008962749503552914], [63, 50, 0.009462323039770126], [64, 50, 0.006941049825400114],
      [136, 70, 0.004571976140141487], [137, 70, 0.0040797279216349125], [192, 79, 0.0031647374853491783],
      [193, 79, 0.003141295863315463], [10, 8, 0], [199, 79, 0.0004487377591431141],
    ];
    for (const [k, m, want] of torchaudio) expect(Math.abs((fb[k]?.[m] ?? NaN) - want)).toBeLessThan(1e-5 * want + 5e-8); // torchaudio: float32
  });
  it('normalises filters to unit area in Hz (Slaney), up to sampling on the 40 Hz bin grid', () => {
    const areas = Array.from({ length: 80 }, (_, m) => fb.reduce((acc, row) => acc + (row[m] ?? 0), 0) * 40);
    for (const a of areas) expect(Math.abs(a - 1)).toBeLessThan(0.1);
    expect(Math.abs(areas.reduce((x, y) => x + y) / 80 - 1)).toBeLessThan(0.01);
  });
});

describe('HTK mel filterbank', () => {
  const fb = melFilterbankDense(257, spec.fMin, spec.fMax, spec.nMels, spec.sampleRate);
  it('round-trips the mel scale', () => {
    expect(melToHzHtk(hzToMelHtk(1234.5))).toBeCloseTo(1234.5, 9);
    expect(hzToMelHtk(700)).toBeCloseTo(2595 * Math.log10(2), 9);
  });
  it('has triangles that peak at <= 1 and cover 20..8000 Hz only', () => {
    for (let m = 0; m < spec.nMels; m++) {
      const col = fb.map((row) => row[m] ?? 0);
      expect(Math.max(...col)).toBeLessThanOrEqual(1);
      expect(Math.max(...col)).toBeGreaterThan(0);
    }
    expect(fb[0]?.every((v) => v === 0)).toBe(true); // 0 Hz is below fMin
  });
  it('matches torchaudio values computed by hand for one bin', () => {
    // bin 10 = 312.5 Hz; the filter whose left corner is just below it rises linearly in Hz.
    const mMin = hzToMelHtk(20);
    const mMax = hzToMelHtk(8000);
    const pts = Array.from({ length: 82 }, (_, i) => melToHzHtk(mMin + ((mMax - mMin) * i) / 81));
    const m = pts.findIndex((f, i) => f <= 312.5 && (pts[i + 1] ?? 0) > 312.5);
    const lo = pts[m] ?? 0;
    const mid = pts[m + 1] ?? 0;
    expect(fb[10]?.[m]).toBeCloseTo((312.5 - lo) / (mid - lo), 12);
  });
});

describe('LogMelFrontend', () => {
  it('validates unsupported specs', () => {
    expect(() => checkFrontendSpec({ ...spec, center: true })).toThrow(/center/);
    expect(() => checkFrontendSpec({ ...spec, preemphasis: 0.97 })).toThrow(/preemphasis/);
  });

  it('accepts both variants and rejects mixtures of them, naming the field', () => {
    expect(() => checkFrontendSpec(spec)).not.toThrow();
    expect(() => checkFrontendSpec(whisperSpec)).not.toThrow();
    const field = (bad: FrontendSpec): string => {
      try {
        checkFrontendSpec(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(FrontendSpecError);
        expect((e as Error).message).toMatch(/^frontend spec: /);
        return (e as FrontendSpecError).field;
      }
      throw new Error('expected a FrontendSpecError');
    };
    const { logFloor: _, ...noFloor } = whisperSpec;
    expect(field(noFloor)).toBe('logFloor');
    expect(field({ ...whisperSpec, logFloor: NaN })).toBe('logFloor');
    expect(field({ ...spec, logFloor: -8 })).toBe('logFloor');
    expect(field({ ...whisperSpec, melScale: 'htk' })).toBe('melScale');
    expect(field({ ...whisperSpec, melNorm: null })).toBe('melNorm');
    expect(field({ ...spec, melScale: 'slaney' })).toBe('melScale');
    expect(field({ ...spec, melNorm: 'slaney' })).toBe('melNorm');
    expect(field({ ...whisperSpec, log: 'log10' as FrontendSpec['log'] })).toBe('log');
    expect(field({ ...whisperSpec, winLength: 512 })).toBe('winLength');
    expect(field({ ...whisperSpec, nFft: 400.5 })).toBe('nFft');
    expect(field({ ...whisperSpec, logOffset: 0 })).toBe('logOffset');
    expect(() => new LogMelFrontend({ ...whisperSpec, melNorm: null })).toThrow(/melNorm: must be slaney with the whisper log/);
  });

  it('emits frame i once i*hop + win samples arrived', () => {
    const fe = new LogMelFrontend(spec);
    expect(fe.push(new Float32Array(399))).toHaveLength(0);
    expect(fe.push(new Float32Array(1))).toHaveLength(1);
    expect(fe.push(new Float32Array(159))).toHaveLength(0);
    expect(fe.push(new Float32Array(1))).toHaveLength(1);
    expect(fe.framesEmitted).toBe(2);
  });

  it('gives digital silence the log offset (the padValue)', () => {
    const [f] = computeFeatures(spec, new Float32Array(400));
    expect(f?.every((v) => Math.abs(v - Math.log(spec.logOffset)) < 1e-5)).toBe(true);
    expect(silenceValue(spec)).toBeCloseTo(-13.815510557964274, 12);
  });

  it('version 2: whisper log, floor and digital silence = -1', () => {
    expect(spectrumBins(whisperSpec)).toBe(201);
    expect(spectrumBins(spec)).toBe(257);
    const log = whisperLog(1e-10, -8);
    expect(log(1)).toBe(1);
    expect(log(1e-4)).toBeCloseTo(0, 12);
    expect(log(1e-9)).toBe(-1); // below the floor
    expect(log(0)).toBe(-1);
    expect(silenceValue(whisperSpec)).toBe(-1);
    const [f] = computeFeatures(whisperSpec, new Float32Array(400));
    expect(f?.every((v) => v === -1)).toBe(true);
  });

  for (const [name, s] of [
    ['version 1', spec],
    ['version 2', whisperSpec],
  ] as const) {
    it(`${name} streams: any chunking equals one-shot`, () => {
      const x = Float32Array.from({ length: 8000 }, (_, i) => 0.3 * Math.sin(i * 0.05) + 0.01 * Math.sin(i * 1.3));
      const oneShot = computeFeatures(s, x);
      const fe = new LogMelFrontend(s);
      const frames: Float32Array[] = [];
      for (let pos = 0, k = 0; pos < x.length; k++) {
        const n = [37, 160, 1, 999][k % 4] ?? 1;
        frames.push(...fe.push(x.subarray(pos, pos + n)));
        pos += n;
      }
      expect(frames.length).toBe(oneShot.length);
      expect(oneShot.length).toBe(48);
      expect(maxAbsDiff(frames, oneShot.map((f) => Array.from(f)))).toBe(0);
    });
  }

  for (const [name, file, want] of [
    ['version 1', 'training/tests/golden/frontend_golden.json', spec],
    ['version 2 (whisper)', 'training/tests/golden/frontend_whisper_golden.json', whisperSpec],
  ] as const) {
    describe(`golden vectors from the Python recipe, ${name}`, () => {
      const golden = JSON.parse(readFileSync(repo(file), 'utf8')) as Golden;
      const cases: GoldenCase[] = golden.cases ?? [{ name: 'default', audio: golden.audio, features: golden.features }];
      it('uses the same spec as models/', () => {
        expect(golden.spec).toEqual(want);
        expect(cases.length).toBeGreaterThanOrEqual(3);
      });
      for (const c of cases) {
        it(`matches ${c.name} within ${golden.tolerance ?? 1e-3}`, () => {
          const got = computeFeatures(golden.spec, Float32Array.from(c.audio));
          expect(maxAbsDiff(got, c.features)).toBeLessThan(golden.tolerance ?? 1e-3);
        });
      }
    });
  }
});

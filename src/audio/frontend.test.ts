import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FrontendSpec } from '../asr/types';
import { RealFft } from './fft';
import { LogMelFrontend, checkFrontendSpec, computeFeatures } from './frontend';
import { hzToMelHtk, melFilterbankDense, melToHzHtk } from './mel';

const repo = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const spec = JSON.parse(readFileSync(repo('models/frontend.json'), 'utf8')) as FrontendSpec;

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
  });

  it('streams: any chunking equals one-shot', () => {
    const x = Float32Array.from({ length: 8000 }, (_, i) => 0.3 * Math.sin(i * 0.05) + 0.01 * Math.sin(i * 1.3));
    const oneShot = computeFeatures(spec, x);
    const fe = new LogMelFrontend(spec);
    const frames: Float32Array[] = [];
    for (let pos = 0, k = 0; pos < x.length; k++) {
      const n = [37, 160, 1, 999][k % 4] ?? 1;
      frames.push(...fe.push(x.subarray(pos, pos + n)));
      pos += n;
    }
    expect(frames.length).toBe(oneShot.length);
    expect(maxAbsDiff(frames, oneShot.map((f) => Array.from(f)))).toBe(0);
  });

  describe('golden vectors from the Python recipe', () => {
    const golden = JSON.parse(readFileSync(repo('training/tests/golden/frontend_golden.json'), 'utf8')) as Golden;
    const cases: GoldenCase[] = golden.cases ?? [{ name: 'default', audio: golden.audio, features: golden.features }];
    it('uses the same spec as models/frontend.json', () => {
      expect(golden.spec).toEqual(spec);
    });
    for (const c of cases) {
      it(`matches ${c.name} within ${golden.tolerance ?? 1e-3}`, () => {
        const got = computeFeatures(golden.spec, Float32Array.from(c.audio));
        expect(maxAbsDiff(got, c.features)).toBeLessThan(golden.tolerance ?? 1e-3);
      });
    }
  });
});

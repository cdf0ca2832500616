// FFTs used by the log-mel front end: radix-2 for power-of-two sizes (spec version 1, nFft 512) and mixed radix for
// any other size (version 2, nFft 400). Float64 internally: the reference (torch.stft) is float32, so our extra
// precision only ever shrinks the gap to the golden vectors.

export class RealFft implements PowerSpectrum {
  readonly size: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly bitrev: Uint32Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (size < 2 || (size & (size - 1)) !== 0) throw new RangeError(`FFT size must be a power of two, got ${size}`);
    this.size = size;
    this.cos = new Float64Array(size / 2);
    this.sin = new Float64Array(size / 2);
    for (let k = 0; k < size / 2; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    const bits = Math.log2(size);
    this.bitrev = new Uint32Array(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.bitrev[i] = r;
    }
    this.re = new Float64Array(size);
    this.im = new Float64Array(size);
  }

  /**
   * |X[k]|^2 for k = 0..size/2 of the real input (zero-padded to `size`), written into `out` (length size/2 + 1).
   */
  powerSpectrum(input: ArrayLike<number>, out: Float64Array): void {
    const { size, re, im, bitrev, cos, sin } = this;
    for (let i = 0; i < size; i++) {
      const src = bitrev[i] as number;
      re[i] = src < input.length ? (input[src] as number) : 0;
      im[i] = 0;
    }
    for (let len = 2; len <= size; len <<= 1) {
      const half = len >> 1;
      const stride = size / len;
      for (let start = 0; start < size; start += len) {
        for (let k = 0; k < half; k++) {
          const wr = cos[k * stride] as number;
          const wi = sin[k * stride] as number;
          const a = start + k;
          const b = a + half;
          const br = re[b] as number;
          const bi = im[b] as number;
          const tr = br * wr - bi * wi;
          const ti = br * wi + bi * wr;
          const ar = re[a] as number;
          const ai = im[a] as number;
          re[b] = ar - tr;
          im[b] = ai - ti;
          re[a] = ar + tr;
          im[a] = ai + ti;
        }
      }
    }
    for (let k = 0; k <= size / 2; k++) {
      const r = re[k] as number;
      const m = im[k] as number;
      out[k] = r * r + m * m;
    }
  }
}

// ------------------------------------------------------------------------------------------------ any-size transforms
// Front-end spec version 2 (Whisper) uses nFft = 400 = 2^4 * 5^2, not a power of two. A mixed-radix Stockham FFT
// (self-sorting, no bit reversal) handles every size: radix 4, 2 and 5 butterflies are written out, other primes go
// through a generic O(p^2) butterfly, so a prime size degrades gracefully to a plain DFT.

/** |X[k]|^2, k = 0..floor(size/2), of a real frame zero-padded to `size`. */
export interface PowerSpectrum {
  readonly size: number;
  powerSpectrum(input: ArrayLike<number>, out: Float64Array): void;
}

/** Radices of the stages for `n`: fours, then a two, then odd primes in ascending order (product = n). */
export function fftRadices(n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`FFT size must be a positive integer, got ${n}`);
  const radices: number[] = [];
  let rest = n;
  for (const p of [4, 2]) {
    while (rest % p === 0) {
      radices.push(p);
      rest /= p;
    }
  }
  for (let p = 3; rest > 1; p += 2) {
    if (p * p > rest) p = rest; // what is left is prime
    while (rest % p === 0) {
      radices.push(p);
      rest /= p;
    }
  }
  return radices;
}

/** One Stockham decimation-in-frequency stage: `radix` sub-sequences of length `m`, interleaved with `stride`. */
interface Stage {
  radix: number;
  m: number;
  stride: number;
  /** twiddle w_{m*radix}^(p*k) at p*radix + k */
  twRe: Float64Array;
  twIm: Float64Array;
  /** w_radix^j, j = 0..radix-1 (generic butterfly only) */
  rootRe: Float64Array;
  rootIm: Float64Array;
}

function makeStage(radix: number, m: number, stride: number): Stage {
  const len = radix * m;
  const twRe = new Float64Array(len);
  const twIm = new Float64Array(len);
  for (let p = 0; p < m; p++) {
    for (let k = 0; k < radix; k++) {
      twRe[p * radix + k] = Math.cos((2 * Math.PI * p * k) / len);
      twIm[p * radix + k] = -Math.sin((2 * Math.PI * p * k) / len);
    }
  }
  const rootRe = Float64Array.from({ length: radix }, (_, j) => Math.cos((2 * Math.PI * j) / radix));
  const rootIm = Float64Array.from({ length: radix }, (_, j) => -Math.sin((2 * Math.PI * j) / radix));
  return { radix, m, stride, twRe, twIm, rootRe, rootIm };
}

type Kernel = (st: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, ar: Float64Array, ai: Float64Array) => void;

const radix2: Kernel = (st, xr, xi, yr, yi) => {
  const { m, stride: s, twRe, twIm } = st;
  const ms = m * s;
  for (let p = 0; p < m; p++) {
    const w1r = twRe[2 * p + 1] as number;
    const w1i = twIm[2 * p + 1] as number;
    for (let q = 0; q < s; q++) {
      const a = q + s * p;
      const b = a + ms;
      const ar = xr[a] as number;
      const ai = xi[a] as number;
      const br = xr[b] as number;
      const bi = xi[b] as number;
      const o = q + s * 2 * p;
      yr[o] = ar + br;
      yi[o] = ai + bi;
      const dr = ar - br;
      const di = ai - bi;
      yr[o + s] = dr * w1r - di * w1i;
      yi[o + s] = dr * w1i + di * w1r;
    }
  }
};

const radix4: Kernel = (st, xr, xi, yr, yi) => {
  const { m, stride: s, twRe, twIm } = st;
  const ms = m * s;
  for (let p = 0; p < m; p++) {
    const t = 4 * p;
    const w1r = twRe[t + 1] as number;
    const w1i = twIm[t + 1] as number;
    const w2r = twRe[t + 2] as number;
    const w2i = twIm[t + 2] as number;
    const w3r = twRe[t + 3] as number;
    const w3i = twIm[t + 3] as number;
    for (let q = 0; q < s; q++) {
      const i0 = q + s * p;
      const a0r = xr[i0] as number;
      const a0i = xi[i0] as number;
      const a1r = xr[i0 + ms] as number;
      const a1i = xi[i0 + ms] as number;
      const a2r = xr[i0 + 2 * ms] as number;
      const a2i = xi[i0 + 2 * ms] as number;
      const a3r = xr[i0 + 3 * ms] as number;
      const a3i = xi[i0 + 3 * ms] as number;
      const t0r = a0r + a2r;
      const t0i = a0i + a2i;
      const t1r = a0r - a2r;
      const t1i = a0i - a2i;
      const t2r = a1r + a3r;
      const t2i = a1i + a3i;
      const t3r = a1r - a3r;
      const t3i = a1i - a3i;
      // b1 = t1 - i*t3, b3 = t1 + i*t3 (forward transform, w_4 = -i)
      const b1r = t1r + t3i;
      const b1i = t1i - t3r;
      const b2r = t0r - t2r;
      const b2i = t0i - t2i;
      const b3r = t1r - t3i;
      const b3i = t1i + t3r;
      const o = q + s * t;
      yr[o] = t0r + t2r;
      yi[o] = t0i + t2i;
      yr[o + s] = b1r * w1r - b1i * w1i;
      yi[o + s] = b1r * w1i + b1i * w1r;
      yr[o + 2 * s] = b2r * w2r - b2i * w2i;
      yi[o + 2 * s] = b2r * w2i + b2i * w2r;
      yr[o + 3 * s] = b3r * w3r - b3i * w3i;
      yi[o + 3 * s] = b3r * w3i + b3i * w3r;
    }
  }
};

const C1 = Math.cos((2 * Math.PI) / 5);
const C2 = Math.cos((4 * Math.PI) / 5);
const S1 = Math.sin((2 * Math.PI) / 5);
const S2 = Math.sin((4 * Math.PI) / 5);

/** Radix 5 (nFft 400 = 4^2 * 5^2 has two such stages): b_k = sum_r a_r w_5^(rk), using the symmetric pairs. */
const radix5: Kernel = (st, xr, xi, yr, yi) => {
  const { m, stride: s, twRe, twIm } = st;
  const ms = m * s;
  for (let p = 0; p < m; p++) {
    const t = 5 * p;
    for (let q = 0; q < s; q++) {
      const i0 = q + s * p;
      const a0r = xr[i0] as number;
      const a0i = xi[i0] as number;
      const a1r = xr[i0 + ms] as number;
      const a1i = xi[i0 + ms] as number;
      const a2r = xr[i0 + 2 * ms] as number;
      const a2i = xi[i0 + 2 * ms] as number;
      const a3r = xr[i0 + 3 * ms] as number;
      const a3i = xi[i0 + 3 * ms] as number;
      const a4r = xr[i0 + 4 * ms] as number;
      const a4i = xi[i0 + 4 * ms] as number;
      const t1r = a1r + a4r;
      const t1i = a1i + a4i;
      const t2r = a2r + a3r;
      const t2i = a2i + a3i;
      const t3r = a1r - a4r;
      const t3i = a1i - a4i;
      const t4r = a2r - a3r;
      const t4i = a2i - a3i;
      const m1r = a0r + C1 * t1r + C2 * t2r;
      const m1i = a0i + C1 * t1i + C2 * t2i;
      const m2r = a0r + C2 * t1r + C1 * t2r;
      const m2i = a0i + C2 * t1i + C1 * t2i;
      // b1,4 = m1 -/+ i (S1 t3 + S2 t4); b2,3 = m2 -/+ i (S2 t3 - S1 t4)
      const ur = S1 * t3r + S2 * t4r;
      const ui = S1 * t3i + S2 * t4i;
      const vr = S2 * t3r - S1 * t4r;
      const vi = S2 * t3i - S1 * t4i;
      const o = q + s * t;
      yr[o] = a0r + t1r + t2r;
      yi[o] = a0i + t1i + t2i;
      let br = m1r + ui;
      let bi = m1i - ur;
      let wr = twRe[t + 1] as number;
      let wi = twIm[t + 1] as number;
      yr[o + s] = br * wr - bi * wi;
      yi[o + s] = br * wi + bi * wr;
      br = m2r + vi;
      bi = m2i - vr;
      wr = twRe[t + 2] as number;
      wi = twIm[t + 2] as number;
      yr[o + 2 * s] = br * wr - bi * wi;
      yi[o + 2 * s] = br * wi + bi * wr;
      br = m2r - vi;
      bi = m2i + vr;
      wr = twRe[t + 3] as number;
      wi = twIm[t + 3] as number;
      yr[o + 3 * s] = br * wr - bi * wi;
      yi[o + 3 * s] = br * wi + bi * wr;
      br = m1r - ui;
      bi = m1i + ur;
      wr = twRe[t + 4] as number;
      wi = twIm[t + 4] as number;
      yr[o + 4 * s] = br * wr - bi * wi;
      yi[o + 4 * s] = br * wi + bi * wr;
    }
  }
};

const radixGeneric: Kernel = (st, xr, xi, yr, yi, ar, ai) => {
  const { radix: P, m, stride: s, twRe, twIm, rootRe, rootIm } = st;
  const ms = m * s;
  for (let p = 0; p < m; p++) {
    for (let q = 0; q < s; q++) {
      const i0 = q + s * p;
      for (let r = 0; r < P; r++) {
        ar[r] = xr[i0 + r * ms] as number;
        ai[r] = xi[i0 + r * ms] as number;
      }
      for (let k = 0; k < P; k++) {
        let sr = 0;
        let si = 0;
        for (let r = 0, j = 0; r < P; r++) {
          const vr = ar[r] as number;
          const vi = ai[r] as number;
          const wr = rootRe[j] as number;
          const wi = rootIm[j] as number;
          sr += vr * wr - vi * wi;
          si += vr * wi + vi * wr;
          j += k;
          if (j >= P) j -= P;
        }
        const tr = twRe[p * P + k] as number;
        const ti = twIm[p * P + k] as number;
        const o = q + s * (P * p + k);
        yr[o] = sr * tr - si * ti;
        yi[o] = sr * ti + si * tr;
      }
    }
  }
};

const KERNELS: Record<number, Kernel> = { 2: radix2, 4: radix4, 5: radix5 };
const kernelFor = (radix: number): Kernel => KERNELS[radix] ?? radixGeneric;

/** Forward complex DFT of any length, X[k] = sum_t x[t] e^{-2 pi i k t / n}, in place. */
export class MixedRadixFft {
  readonly size: number;
  private readonly stages: Stage[];
  private readonly kernels: Kernel[];
  private readonly scratchRe: Float64Array;
  private readonly scratchIm: Float64Array;
  private readonly butterflyRe: Float64Array;
  private readonly butterflyIm: Float64Array;

  constructor(size: number) {
    const radices = fftRadices(size);
    this.size = size;
    this.stages = [];
    let stride = 1;
    for (const radix of radices) {
      this.stages.push(makeStage(radix, size / (stride * radix), stride));
      stride *= radix;
    }
    this.kernels = radices.map(kernelFor);
    this.scratchRe = new Float64Array(size);
    this.scratchIm = new Float64Array(size);
    const widest = Math.max(1, ...radices);
    this.butterflyRe = new Float64Array(widest);
    this.butterflyIm = new Float64Array(widest);
  }

  /** Transforms (re, im), each of length `size`, in place. */
  transform(re: Float64Array, im: Float64Array): void {
    let xr = re;
    let xi = im;
    let yr = this.scratchRe;
    let yi = this.scratchIm;
    for (let i = 0; i < this.stages.length; i++) {
      (this.kernels[i] as Kernel)(this.stages[i] as Stage, xr, xi, yr, yi, this.butterflyRe, this.butterflyIm);
      const tr = xr;
      const ti = xi;
      xr = yr;
      xi = yi;
      yr = tr;
      yi = ti;
    }
    if (xr !== re) {
      re.set(xr);
      im.set(xi);
    }
  }
}

/**
 * Power spectrum of a real frame of any size. An even size runs one complex FFT of half the size on the frame packed
 * as z[t] = x[2t] + i x[2t+1] and untangles the even/odd halves; an odd size transforms the frame as it is.
 */
export class MixedRadixRealFft implements PowerSpectrum {
  readonly size: number;
  private readonly fft: MixedRadixFft;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  /** e^{-2 pi i k / size}, k = 0..size/2 (even sizes) */
  private readonly wRe: Float64Array;
  private readonly wIm: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2) throw new RangeError(`FFT size must be an integer >= 2, got ${size}`);
    this.size = size;
    const n = size % 2 === 0 ? size / 2 : size;
    this.fft = new MixedRadixFft(n);
    this.re = new Float64Array(n);
    this.im = new Float64Array(n);
    const nw = size % 2 === 0 ? n + 1 : 0;
    this.wRe = Float64Array.from({ length: nw }, (_, k) => Math.cos((2 * Math.PI * k) / size));
    this.wIm = Float64Array.from({ length: nw }, (_, k) => -Math.sin((2 * Math.PI * k) / size));
  }

  powerSpectrum(input: ArrayLike<number>, out: Float64Array): void {
    const { size, re, im } = this;
    const len = Math.min(input.length, size);
    if (size % 2 !== 0) {
      re.fill(0);
      im.fill(0);
      for (let t = 0; t < len; t++) re[t] = input[t] as number;
      this.fft.transform(re, im);
      for (let k = 0; k <= (size - 1) / 2; k++) out[k] = (re[k] as number) ** 2 + (im[k] as number) ** 2;
      return;
    }
    const n = size / 2;
    re.fill(0);
    im.fill(0);
    for (let t = 0; t < len; t++) {
      if (t % 2 === 0) re[t >> 1] = input[t] as number;
      else im[t >> 1] = input[t] as number;
    }
    this.fft.transform(re, im);
    const { wRe, wIm } = this;
    for (let k = 0; k <= n; k++) {
      const a = re[k % n] as number;
      const b = im[k % n] as number;
      const c = re[(n - k) % n] as number;
      const d = im[(n - k) % n] as number;
      // even half E = (Z[k] + conj Z[n-k]) / 2, odd half O = (Z[k] - conj Z[n-k]) / 2i, X[k] = E + w^k O
      const er = 0.5 * (a + c);
      const ei = 0.5 * (b - d);
      const or = 0.5 * (b + d);
      const oi = 0.5 * (c - a);
      const wr = wRe[k] as number;
      const wi = wIm[k] as number;
      const xr = er + or * wr - oi * wi;
      const xi = ei + or * wi + oi * wr;
      out[k] = xr * xr + xi * xi;
    }
  }
}

/** The power spectrum for a frame size: the radix-2 FFT for powers of two (version 1), mixed radix otherwise. */
export function createPowerSpectrum(size: number): PowerSpectrum {
  return size >= 2 && (size & (size - 1)) === 0 ? new RealFft(size) : new MixedRadixRealFft(size);
}

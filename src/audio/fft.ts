// Radix-2 FFT used by the log-mel front end. Float64 internally: the reference (torch.stft) is float32, so our
// extra precision only ever shrinks the gap to the golden vectors.

export class RealFft {
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

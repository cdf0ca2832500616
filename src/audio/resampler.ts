// Streaming band-limited resampler (windowed-sinc, Kaiser window) for any input rate -> any output rate.
//
// Every output sample n sits at the exact input-time position t = n * inRate / outRate and is the sum of the input
// samples around t weighted by a low-pass kernel g(t - k). The kernel is tabulated at PHASES sub-sample positions
// (the polyphase table) and linearly interpolated between them, so any ratio works, even an irrational one. The
// usual integer rates (48k, 44.1k, 22.05k, 8k -> 16k) have a short cycle of sub-sample phases (outRate / gcd): for
// those the exact taps of every phase are precomputed, and an output sample is a plain dot product — about 4x less
// work than the interpolated lookup, which matters because at 48 kHz the resampler dominated the front end's cost.
// The output position is derived from the global output index, so pushing audio in chunks of any size produces
// bit-identical output to pushing it in one go.

/** Fraction of the lower Nyquist frequency kept as pass band; the transition band runs from there to Nyquist. */
const PASS_FRACTION = 0.9;
/** Target stop-band attenuation, dB. */
const STOP_DB = 80;
/** Kernel sub-sample resolution of the polyphase table. */
const PHASES = 512;
/** Largest exact polyphase bank (phases x taps) worth precomputing; beyond it, the interpolated table is used. */
const MAX_BANK = 1 << 20;

export interface ResamplerOptions {
  passFraction?: number;
  stopDb?: number;
  /** false: always use the interpolated table (for tests comparing the two paths) */
  exactPhases?: boolean;
}

/** Zeroth-order modified Bessel function of the first kind (power series; converges fast for Kaiser betas). */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 64; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Kaiser beta for a given stop-band attenuation (Kaiser's empirical formula). */
export function kaiserBeta(stopDb: number): number {
  if (stopDb > 50) return 0.1102 * (stopDb - 8.7);
  if (stopDb >= 21) return 0.5842 * (stopDb - 21) ** 0.4 + 0.07886 * (stopDb - 21);
  return 0;
}

interface Kernel {
  /** kernel half width in input samples */
  halfWidth: number;
  /** g(|tau|) sampled at tau = j / PHASES for j = 0..halfWidth*PHASES (+1 guard entry) */
  table: Float64Array;
  /** g(|tau|) exactly, for the precomputed bank */
  at: (tau: number) => number;
}

/** Exact polyphase taps for integer rates: output n sits at t = n * down / up input samples, phase (n * down) mod up. */
interface Bank {
  /** input samples per cycle (inRate / gcd) */
  down: number;
  /** output samples (= sub-sample phases) per cycle (outRate / gcd) */
  up: number;
  /** taps[p * 2H + j] weighs input sample floor(t) - H + 1 + j for an output at phase p (frac = p / up) */
  taps: Float64Array;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function designBank(inRate: number, outRate: number, kernel: Kernel): Bank | null {
  if (!Number.isInteger(inRate) || !Number.isInteger(outRate)) return null;
  const g = gcd(inRate, outRate);
  const down = inRate / g;
  const up = outRate / g;
  const width = 2 * kernel.halfWidth;
  if (up * width > MAX_BANK) return null;
  const taps = new Float64Array(up * width);
  for (let p = 0; p < up; p++) {
    const frac = p / up;
    for (let j = 0; j < width; j++) taps[p * width + j] = kernel.at(Math.abs(frac + kernel.halfWidth - 1 - j));
  }
  return { down, up, taps };
}

function designKernel(inRate: number, outRate: number, passFraction: number, stopDb: number): Kernel {
  const nyquist = Math.min(inRate, outRate) / 2;
  const passHz = passFraction * nyquist;
  const cutoffHz = (passHz + nyquist) / 2; // -6 dB point in the middle of the transition band
  const transition = (nyquist - passHz) / inRate; // cycles per input sample
  // Kaiser's length estimate: N = (A - 7.95) / (2.285 * 2*pi * dF).
  const taps = (stopDb - 7.95) / (2.285 * 2 * Math.PI * transition);
  const halfWidth = Math.max(2, Math.ceil(taps / 2));
  const fc = cutoffHz / inRate; // normalized cutoff, cycles per input sample
  const beta = kaiserBeta(stopDb);
  const i0Beta = besselI0(beta);
  const at = (tau: number): number => {
    const r = tau / halfWidth;
    if (r >= 1) return 0;
    const window = besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
    const x = 2 * fc * tau;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    return 2 * fc * sinc * window;
  };
  const size = halfWidth * PHASES + 2;
  const table = new Float64Array(size);
  for (let j = 0; j < size; j++) table[j] = at(j / PHASES);
  return { halfWidth, table, at };
}

export class StreamingResampler {
  readonly inRate: number;
  readonly outRate: number;
  private readonly kernel: Kernel | null;
  private readonly bank: Bank | null;
  private readonly step: number;
  /** Input samples still needed by future outputs; history[0] is absolute input index `historyStart`. */
  private history = new Float32Array(0);
  private historyStart = 0;
  private received = 0;
  private produced = 0;
  private finished = false;

  constructor(inRate: number, outRate: number, opts: ResamplerOptions = {}) {
    if (!(inRate > 0) || !(outRate > 0)) throw new RangeError(`bad sample rates ${inRate} -> ${outRate}`);
    this.inRate = inRate;
    this.outRate = outRate;
    this.step = inRate / outRate;
    this.kernel =
      inRate === outRate ? null : designKernel(inRate, outRate, opts.passFraction ?? PASS_FRACTION, opts.stopDb ?? STOP_DB);
    this.bank = this.kernel && opts.exactPhases !== false ? designBank(inRate, outRate, this.kernel) : null;
  }

  /** Whether outputs come from the exact precomputed polyphase bank (integer rates) or the interpolated table. */
  get exactPhases(): boolean {
    return this.bank !== null;
  }

  /** Feeds input samples; returns every output sample whose kernel support is now complete. */
  push(input: Float32Array): Float32Array {
    if (this.finished) throw new Error('resampler already flushed');
    if (!this.kernel) {
      this.received += input.length;
      this.produced += input.length;
      return input.slice();
    }
    const merged = new Float32Array(this.history.length + input.length);
    merged.set(this.history);
    merged.set(input, this.history.length);
    this.history = merged;
    this.received += input.length;
    return this.drain(this.received);
  }

  /** Ends the stream: produces the remaining outputs (zero-padded past the end) for all input time. */
  flush(): Float32Array {
    if (this.finished) return new Float32Array(0);
    this.finished = true;
    if (!this.kernel) return new Float32Array(0);
    return this.drain(Infinity);
  }

  /** Outputs are produced while their kernel support ends before `available` (absolute input index). */
  private drain(available: number): Float32Array {
    const kernel = this.kernel as Kernel;
    const totalOut = Math.ceil((this.received * this.outRate) / this.inRate);
    const out = new Float32Array(Math.max(0, totalOut - this.produced));
    let count = 0;
    for (;;) {
      const n = this.produced;
      if (n >= totalOut) break;
      const base = this.bank ? Math.floor((n * this.bank.down) / this.bank.up) : Math.floor(n * this.step);
      if (base + kernel.halfWidth >= available) break;
      out[count++] = this.bank ? this.bankSample(n, base, this.bank, kernel.halfWidth) : this.sampleAt(n * this.step, kernel);
      this.produced++;
    }
    this.trimHistory(kernel);
    return out.subarray(0, count);
  }

  /** Output n = sum_j taps[phase(n)][j] * x[base - H + 1 + j], with x = 0 outside the received audio. */
  private bankSample(n: number, base: number, bank: Bank, halfWidth: number): number {
    const width = 2 * halfWidth;
    const offset = ((n * bank.down) % bank.up) * width;
    const { taps } = bank;
    const history = this.history;
    const first = base - halfWidth + 1 - this.historyStart; // index into history of tap j = 0
    const lo = Math.max(0, -first);
    const hi = Math.min(width, history.length - first);
    let acc = 0;
    for (let j = lo; j < hi; j++) acc += (history[first + j] as number) * (taps[offset + j] as number);
    return acc;
  }

  private sampleAt(t: number, kernel: Kernel): number {
    const { halfWidth, table } = kernel;
    const first = Math.max(Math.floor(t) - halfWidth + 1, this.historyStart);
    const last = Math.min(Math.floor(t) + halfWidth, this.historyStart + this.history.length - 1);
    let acc = 0;
    for (let k = first; k <= last; k++) {
      const pos = Math.abs(t - k) * PHASES;
      const j = Math.floor(pos);
      const frac = pos - j;
      const g = (table[j] ?? 0) + frac * ((table[j + 1] ?? 0) - (table[j] ?? 0));
      acc += (this.history[k - this.historyStart] ?? 0) * g;
    }
    return acc;
  }

  /** Drops input samples that no future output can reach. */
  private trimHistory(kernel: Kernel): void {
    const nextT = this.produced * this.step;
    const keepFrom = Math.max(0, Math.floor(nextT) - kernel.halfWidth + 1);
    const drop = keepFrom - this.historyStart;
    if (drop > 0) {
      this.history = this.history.slice(Math.min(drop, this.history.length));
      this.historyStart += drop;
    }
  }
}

/** One-shot convenience wrapper around StreamingResampler. */
export function resample(input: Float32Array, inRate: number, outRate: number): Float32Array {
  const r = new StreamingResampler(inRate, outRate);
  return concatFloat32([r.push(input), r.flush()]);
}

/** Averages channels (planar, equal lengths) into mono. */
export function downmixToMono(channels: readonly Float32Array[]): Float32Array {
  const first = channels[0];
  if (!first) return new Float32Array(0);
  if (channels.length === 1) return first.slice();
  const out = new Float32Array(first.length);
  for (const ch of channels) {
    for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) + (ch[i] ?? 0);
  }
  const scale = 1 / channels.length;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) * scale;
  return out;
}

/** Averages interleaved frames (L R L R ...) into mono. */
export function downmixInterleaved(data: Float32Array, channelCount: number): Float32Array {
  const frames = Math.floor(data.length / channelCount);
  const out = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let s = 0;
    for (let c = 0; c < channelCount; c++) s += data[f * channelCount + c] ?? 0;
    out[f] = s / channelCount;
  }
  return out;
}

export function concatFloat32(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// Mel filterbank computed the way torchaudio.functional.melscale_fbanks(norm, mel_scale) does: triangles with
// corners at n_mels + 2 points equally spaced in mel, evaluated at FFT bin centre frequencies linspace(0, sr/2,
// n_freqs). Spec version 1: HTK scale, no norm. Version 2 (Whisper = librosa's default): Slaney scale (linear below
// 1 kHz, logarithmic above) and Slaney area norm (filter m scaled by 2 / (f[m+2] - f[m]), in Hz).

export type MelScale = 'htk' | 'slaney';
export type MelNorm = null | 'slaney';

export interface MelOptions {
  scale?: MelScale;
  norm?: MelNorm;
}

export const hzToMelHtk = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
export const melToHzHtk = (mel: number): number => 700 * (10 ** (mel / 2595) - 1);

const SLANEY_HZ_PER_MEL = 200 / 3;
const SLANEY_MIN_LOG_HZ = 1000;
const SLANEY_MIN_LOG_MEL = SLANEY_MIN_LOG_HZ / SLANEY_HZ_PER_MEL;
const SLANEY_LOG_STEP = Math.log(6.4) / 27;

export const hzToMelSlaney = (hz: number): number =>
  hz >= SLANEY_MIN_LOG_HZ
    ? SLANEY_MIN_LOG_MEL + Math.log(hz / SLANEY_MIN_LOG_HZ) / SLANEY_LOG_STEP
    : hz / SLANEY_HZ_PER_MEL;
export const melToHzSlaney = (mel: number): number =>
  mel >= SLANEY_MIN_LOG_MEL
    ? SLANEY_MIN_LOG_HZ * Math.exp(SLANEY_LOG_STEP * (mel - SLANEY_MIN_LOG_MEL))
    : mel * SLANEY_HZ_PER_MEL;

/** The n_mels + 2 triangle corners in Hz, equally spaced on the given mel scale. */
export function melCornersHz(fMin: number, fMax: number, nMels: number, scale: MelScale = 'htk'): number[] {
  const [toMel, toHz] = scale === 'slaney' ? [hzToMelSlaney, melToHzSlaney] : [hzToMelHtk, melToHzHtk];
  const mMin = toMel(fMin);
  const mMax = toMel(fMax);
  return Array.from({ length: nMels + 2 }, (_, i) => toHz(mMin + ((mMax - mMin) * i) / (nMels + 1)));
}

export interface MelFilter {
  /** first FFT bin with a non-zero weight */
  start: number;
  weights: Float64Array;
}

/** Dense [nFreqs][nMels] matrix, same layout as torchaudio's return value (used by tests and tools). */
export function melFilterbankDense(
  nFreqs: number,
  fMin: number,
  fMax: number,
  nMels: number,
  sampleRate: number,
  { scale = 'htk', norm = null }: MelOptions = {},
): Float64Array[] {
  // torchaudio uses linspace(0, sample_rate // 2, n_freqs): integer division, hence the floor.
  const allFreqs = Array.from({ length: nFreqs }, (_, i) => (Math.floor(sampleRate / 2) * i) / (nFreqs - 1));
  const fPts = melCornersHz(fMin, fMax, nMels, scale);
  const gain = (m: number): number => (norm === 'slaney' ? 2 / ((fPts[m + 2] as number) - (fPts[m] as number)) : 1);
  return allFreqs.map((f) => {
    const row = new Float64Array(nMels);
    for (let m = 0; m < nMels; m++) {
      const lo = fPts[m] as number;
      const mid = fPts[m + 1] as number;
      const hi = fPts[m + 2] as number;
      const down = (f - lo) / (mid - lo);
      const up = (hi - f) / (hi - mid);
      row[m] = Math.max(0, Math.min(down, up)) * gain(m);
    }
    return row;
  });
}

/** Sparse per-filter form of the same filterbank, for the hot path. */
export function melFilterbank(
  nFreqs: number,
  fMin: number,
  fMax: number,
  nMels: number,
  sampleRate: number,
  options: MelOptions = {},
): MelFilter[] {
  const dense = melFilterbankDense(nFreqs, fMin, fMax, nMels, sampleRate, options);
  const filters: MelFilter[] = [];
  for (let m = 0; m < nMels; m++) {
    let start = -1;
    let end = -1;
    for (let k = 0; k < nFreqs; k++) {
      if ((dense[k]?.[m] ?? 0) > 0) {
        if (start < 0) start = k;
        end = k;
      }
    }
    // A filter narrower than one bin can be all-zero (torchaudio warns about it); keep it empty rather than fail.
    if (start < 0) {
      filters.push({ start: 0, weights: new Float64Array(0) });
      continue;
    }
    const weights = new Float64Array(end - start + 1);
    for (let k = start; k <= end; k++) weights[k - start] = dense[k]?.[m] ?? 0;
    filters.push({ start, weights });
  }
  return filters;
}

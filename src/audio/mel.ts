// HTK mel filterbank computed the way torchaudio.functional.melscale_fbanks(norm=None, mel_scale="htk") does:
// triangles with corners at n_mels + 2 points equally spaced in mel, evaluated at FFT bin centre frequencies
// linspace(0, sr/2, n_freqs). Returned row-major as [nMels][nFreqs] with only the non-zero span kept per filter.

export const hzToMelHtk = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
export const melToHzHtk = (mel: number): number => 700 * (10 ** (mel / 2595) - 1);

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
): Float64Array[] {
  // torchaudio uses linspace(0, sample_rate // 2, n_freqs): integer division, hence the floor.
  const allFreqs = Array.from({ length: nFreqs }, (_, i) => (Math.floor(sampleRate / 2) * i) / (nFreqs - 1));
  const mMin = hzToMelHtk(fMin);
  const mMax = hzToMelHtk(fMax);
  const fPts = Array.from({ length: nMels + 2 }, (_, i) => melToHzHtk(mMin + ((mMax - mMin) * i) / (nMels + 1)));
  return allFreqs.map((f) => {
    const row = new Float64Array(nMels);
    for (let m = 0; m < nMels; m++) {
      const lo = fPts[m] as number;
      const mid = fPts[m + 1] as number;
      const hi = fPts[m + 2] as number;
      const down = (f - lo) / (mid - lo);
      const up = (hi - f) / (hi - mid);
      row[m] = Math.max(0, Math.min(down, up));
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
): MelFilter[] {
  const dense = melFilterbankDense(nFreqs, fMin, fMax, nMels, sampleRate);
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

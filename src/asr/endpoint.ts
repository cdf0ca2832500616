// Endpointing: the current partial becomes a final line after a stretch of trailing silence, i.e. both
//  - no token emitted for `silenceMs`, and
//  - every feature frame in the last `silenceMs` was quiet (energy near the tracked noise floor).
// Energy is read from the log-mel features themselves, so the worker needs nothing but feature frames.

export interface EndpointOptions {
  /** trailing silence that ends an utterance */
  silenceMs: number;
  /** a frame is quiet when its energy is below noiseFloor + marginDb */
  marginDb: number;
  /** frames below this absolute energy are always quiet (digital silence, padding) */
  absoluteQuietDb: number;
  /** feature frame shift */
  frameMs: number;
}

export const DEFAULT_ENDPOINT: EndpointOptions = { silenceMs: 800, marginDb: 12, absoluteQuietDb: -60, frameMs: 10 };

/** Maps a feature value to ln(mel energy); the front end's featureToNaturalLog (identity for version 1). */
export type ToNaturalLog = (feature: number) => number;
const identity: ToNaturalLog = (f) => f;

/** Frame energy in dB from log-mel features: 10*log10(sum_m exp(ln mel_m)), computed stably. */
export function frameEnergyDb(features: Float32Array, toLn: ToNaturalLog = identity): number {
  let max = -Infinity;
  for (const f of features) max = Math.max(max, toLn(f));
  if (!Number.isFinite(max)) return -Infinity;
  let sum = 0;
  for (const f of features) sum += Math.exp(toLn(f) - max);
  return (10 / Math.LN10) * (max + Math.log(sum));
}

export class Endpointer {
  readonly opts: EndpointOptions;
  private noiseFloor = Infinity;
  private quietRunFrames = 0;
  private framesSinceToken = 0;
  private speechSeen = false;

  private readonly toLn: ToNaturalLog;

  /** `toLn`: how this model's features encode energy (version 2 features are Whisper's scaled log10). */
  constructor(opts: Partial<EndpointOptions> = {}, toLn: ToNaturalLog = identity) {
    this.opts = { ...DEFAULT_ENDPOINT, ...opts };
    this.toLn = toLn;
  }

  /** Feeds one feature frame; returns whether it counts as speech-like (not quiet). */
  observeFrame(features: Float32Array): boolean {
    const e = frameEnergyDb(features, this.toLn);
    // Floor: jumps down to quieter frames immediately, creeps up slowly so speech does not drag it along.
    this.noiseFloor = e < this.noiseFloor ? e : this.noiseFloor + 0.01 * (e - this.noiseFloor);
    const quiet = e < this.opts.absoluteQuietDb || e < this.noiseFloor + this.opts.marginDb;
    this.quietRunFrames = quiet ? this.quietRunFrames + 1 : 0;
    this.framesSinceToken++;
    if (!quiet) this.speechSeen = true;
    return !quiet;
  }

  /** Call when the decoder emits a token. */
  observeToken(): void {
    this.framesSinceToken = 0;
  }

  /** True when a non-empty partial should be finalized now. */
  shouldFinalize(partial: string): boolean {
    if (partial.length === 0) return false;
    const need = this.opts.silenceMs / this.opts.frameMs;
    return this.quietRunFrames >= need && this.framesSinceToken >= need;
  }

  /** After a final: the silence that ended it must not end the next one too. */
  resetUtterance(): void {
    this.quietRunFrames = 0;
    this.framesSinceToken = 0;
    this.speechSeen = false;
  }

  get hasSpeech(): boolean {
    return this.speechSeen;
  }
}

// Greedy transducer decoding (docs/contracts.md §5) over an abstract model, so it is testable without ONNX.
//
// The predictor is stateless: its output depends only on the last `contextSize` emitted tokens, so it is recomputed
// only after an emission. Most encoder frames emit nothing, so the joiner is first run on all remaining frames of a
// chunk at once with the current predictor output; only from the first frame that emits do we go frame by frame.
// The result is identical to the textbook frame-by-frame loop (see decoder.test.ts).

import type { Manifest } from './types';

export interface TransducerModel {
  /** predictor_out [n, J] for n contexts given row-major as [n, contextSize] token ids. */
  predictor(context: Int32Array, n: number): Promise<Float32Array>;
  /** logits [n, V] for encoder rows [n, J] and predictor rows [n, J]. */
  joiner(enc: Float32Array, pred: Float32Array, n: number): Promise<Float32Array>;
}

export interface Emission {
  token: number;
  /** global encoder frame index (40 ms units) */
  frame: number;
}

export interface DecoderConfig {
  blankId: number;
  contextSize: number;
  maxSymbolsPerFrame: number;
  vocabSize: number;
}

/** The decoder settings a manifest prescribes (one mapping for the recognizer, the in-app measurement and the bench). */
export function decoderConfigOf(m: Manifest): DecoderConfig {
  return { blankId: m.blankId, contextSize: m.contextSize, maxSymbolsPerFrame: m.maxSymbolsPerFrame, vocabSize: m.vocabulary.length };
}

export function argmax(values: Float32Array, offset: number, length: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = values[offset + i] as number;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

function tile(row: Float32Array, n: number): Float32Array {
  const out = new Float32Array(row.length * n);
  for (let i = 0; i < n; i++) out.set(row, i * row.length);
  return out;
}

export class GreedyDecoder {
  readonly config: DecoderConfig;
  private readonly model: TransducerModel;
  /** last contextSize emitted tokens, oldest first (blank pads the start) */
  private context: number[];
  private predOut: Float32Array | null = null;
  private nextFrame = 0;

  constructor(model: TransducerModel, config: DecoderConfig, startFrame = 0) {
    this.model = model;
    this.config = config;
    this.context = new Array<number>(config.contextSize).fill(config.blankId);
    this.nextFrame = startFrame;
  }

  /** Global index the next decoded encoder frame will get. */
  get framePosition(): number {
    return this.nextFrame;
  }

  /**
   * The same decoding position and token context on another level's predictor/joiner (a level switch mid-utterance).
   * The predictor is stateless (contracts §4: it sees only the last contextSize tokens), so carrying those tokens is
   * a complete hand-over; the cached predictor output belongs to the old model and is recomputed on first use.
   */
  withModel(model: TransducerModel): GreedyDecoder {
    const next = new GreedyDecoder(model, this.config, this.nextFrame);
    next.context = this.context.slice();
    return next;
  }

  /** The last contextSize emitted tokens, oldest first (blank-padded at an utterance start). */
  get contextTokens(): readonly number[] {
    return this.context.slice();
  }

  /** Forgets the emitted history (a new utterance) but keeps frame numbering. */
  resetContext(): void {
    this.context.fill(this.config.blankId);
    this.predOut = null;
  }

  /** Decodes `n` encoder frames given row-major as [n, J]; returns emissions in order. */
  async decode(enc: Float32Array, n: number): Promise<Emission[]> {
    const { vocabSize: V, blankId, maxSymbolsPerFrame } = this.config;
    if (n === 0) return [];
    // The joiner width J is per level (structured pruning shrinks it), so it is read off the data.
    const J = enc.length / n;
    if (!Number.isInteger(J) || J === 0) throw new RangeError(`encoder rows: ${enc.length} values for ${n} frames`);
    const emissions: Emission[] = [];
    let t = 0;
    while (t < n) {
      // Batched pass: same predictor output for every remaining frame.
      const pred = await this.prediction();
      if (pred.length !== J) throw new RangeError(`predictor_out has ${pred.length} values, encoder rows have ${J}`);
      const rest = n - t;
      const logits = await this.model.joiner(enc.subarray(t * J, n * J), tile(pred, rest), rest);
      let firstEmitting = -1;
      for (let i = 0; i < rest; i++) {
        if (argmax(logits, i * V, V) !== blankId) {
          firstEmitting = i;
          break;
        }
      }
      if (firstEmitting < 0) break;
      t += firstEmitting;
      // Frame-by-frame from the first emitting frame, reusing the batched logits for its first symbol.
      let token = argmax(logits, firstEmitting * V, V);
      const frameRow = enc.subarray(t * J, (t + 1) * J);
      let symbols = 0;
      while (token !== blankId && symbols < maxSymbolsPerFrame) {
        emissions.push({ token, frame: this.nextFrame + t });
        this.advance(token);
        symbols++;
        if (symbols >= maxSymbolsPerFrame) break;
        const frameLogits = await this.model.joiner(frameRow, await this.prediction(), 1);
        token = argmax(frameLogits, 0, V);
      }
      t++;
    }
    this.nextFrame += n;
    return emissions;
  }

  private advance(token: number): void {
    this.context.shift();
    this.context.push(token);
    this.predOut = null;
  }

  private async prediction(): Promise<Float32Array> {
    if (!this.predOut) {
      this.predOut = await this.model.predictor(Int32Array.from(this.context), 1);
    }
    return this.predOut;
  }
}

/** Concatenates token strings; collapses runs of spaces and trims. */
export function tokensToText(tokens: readonly number[], vocabulary: readonly string[], blankId: number): string {
  let s = '';
  for (const t of tokens) if (t !== blankId) s += vocabulary[t] ?? '';
  return s.replace(/\s+/g, ' ').trim();
}

// The second pass at an endpoint (docs/contracts.md §7), runtime-agnostic: the utterance's feature frames are kept
// while it streams, re-encoded at once in full-context mode (every frame sees the whole utterance, which the
// streaming encoder's 40 ms of right context cannot), and re-decoded either by the level's own transducer head or by
// Whisper tiny.en's decoder. The Recognizer runs this on its queue and decides what the final line says.

import { decoderConfigOf, GreedyDecoder, tokensToText, type DecoderConfig, type Emission, type TransducerModel } from './decoder';
import type { FullContextEncoder, WhisperModel } from './engine';
import type { FinalPassKind, FinalTextSource, Manifest, WhisperInfo, WordTiming } from './types';
import { decodeWhisperText, normalizeWhisperText, type WhisperTokens } from './whisper-tokens';
import { ENCODER_FRAME_SECONDS, wordsFromEmissions } from './words';

/**
 * Feature frames kept before an utterance's first text. Frames are buffered from the last endpoint on, but a long
 * silence before someone speaks would otherwise fill the buffer with nothing and overflow it; 2 s covers the
 * transducer's emission delay and then some (speech starts before the first character is emitted).
 */
export const LEAD_IN_FRAMES = 200;

/** Below this (100 ms) an utterance holds too little for a second pass to improve on anything. */
export const MIN_FULL_PASS_FRAMES = 10;

/** Fewer hidden rows (20 ms each) than this: nothing for Whisper's decoder to read. */
const MIN_WHISPER_HIDDEN = 5;

/** An utterance's audio as the streaming encoder consumed it. */
export interface UtteranceAudio {
  frames: readonly Float32Array[];
  /** stream index (10 ms frames since the stream started) of frames[0] */
  start: number;
}

/**
 * The frames of the current utterance, bounded by the full-context encoder's limit (finalPass.maxFrames). An
 * utterance that outgrows it gets no second pass: its frames are dropped at once (memory stays bounded however long
 * someone talks without pausing), its final keeps the streaming text, and `overflows` counts it.
 */
export class UtteranceFeatures {
  readonly maxFrames: number;
  readonly leadInFrames: number;
  /** utterances that outgrew maxFrames since this buffer was made */
  overflows = 0;
  private frames: Float32Array[] = [];
  private start = 0;
  private overflowed = false;

  constructor(maxFrames: number, leadInFrames = LEAD_IN_FRAMES) {
    this.maxFrames = maxFrames;
    this.leadInFrames = leadInFrames;
  }

  /** Frames buffered now (0 once the utterance overflowed). */
  get length(): number {
    return this.frames.length;
  }

  get hasOverflowed(): boolean {
    return this.overflowed;
  }

  /** Appends consumed frames. `hasText`: whether the utterance has streaming text yet (if not, only a lead-in is kept). */
  push(frames: readonly Float32Array[], hasText: boolean): void {
    if (this.overflowed) return;
    for (const f of frames) this.frames.push(f);
    if (!hasText && this.frames.length > this.leadInFrames) {
      const drop = this.frames.length - this.leadInFrames;
      this.frames.splice(0, drop);
      this.start += drop;
    }
    if (this.frames.length > this.maxFrames) {
      this.overflowed = true;
      this.overflows++;
      this.frames = [];
    }
  }

  /** The utterance (null if it overflowed) and a new empty one starting at stream frame `nextStart`. */
  take(nextStart: number): UtteranceAudio | null {
    const audio = this.overflowed ? null : { frames: this.frames, start: this.start };
    this.reset(nextStart);
    return audio;
  }

  reset(start = 0): void {
    this.frames = [];
    this.start = start;
    this.overflowed = false;
  }
}

/** What the full-context encoder reads for one utterance. */
export interface FullContextInput {
  /** [frames, featureDim] flattened */
  features: Float32Array;
  frames: number;
  /** encoder_out rows that cover the utterance itself (the rest covers the silence padding) */
  utteranceRows: number;
}

/**
 * The utterance followed by `padFrames` of silence (padValue), at most `maxFrames` in all. Whisper's decoder only
 * ever saw 30 s windows whose speech ends in silence; without seeing an end it tends to repeat itself (measured by the
 * exporter, finalPass.silencePadFrames). The transducer reads only the rows covering the utterance, Whisper all.
 */
export function fullContextInput(frames: readonly Float32Array[], featureDim: number, padFrames: number, padValue: number, maxFrames: number): FullContextInput {
  const T = frames.length;
  const total = Math.max(T, Math.min(maxFrames, T + padFrames));
  const features = new Float32Array(total * featureDim).fill(padValue);
  frames.forEach((f, i) => features.set(f, i * featureDim));
  const hidden = Math.floor((T - 1) / 2) + 1; // contracts §7: U of the utterance's own frames
  return { features, frames: total, utteranceRows: Math.floor(hidden / 2) };
}

/** Why an utterance gets no second pass, or null when it gets one. */
export function secondPassSkip(kind: FinalPassKind, audio: UtteranceAudio | null): 'off' | 'overflow' | 'too-short' | null {
  if (kind === 'none') return 'off';
  if (!audio) return 'overflow';
  return audio.frames.length < MIN_FULL_PASS_FRAMES ? 'too-short' : null;
}

/**
 * Most tokens generated for `speechSeconds` of speech (the manifest's loop guard, finalPass.whisper.baseTokens and
 * tokensPerSecond, capped by maxTokens). Greedy Whisper can repeat a phrase until the cap, and every token costs a
 * decoder call; a bound that follows the speech keeps a loop's cost proportional to it. The same rule as the
 * exporter's evaluation (training/omnisparse/final_eval.py), so its numbers are the app's.
 */
export function whisperTokenBudget(info: Pick<WhisperInfo, 'maxTokens' | 'baseTokens' | 'tokensPerSecond'>, speechSeconds?: number): number {
  if (speechSeconds === undefined) return info.maxTokens;
  const guard = Math.floor((info.baseTokens ?? info.maxTokens) + (info.tokensPerSecond ?? 0) * speechSeconds);
  return Math.max(0, Math.min(info.maxTokens, guard));
}

/** Ids never generated: every special (sot and above) and the `suppress` list (non-speech symbols). */
export function suppressMask(tokens: WhisperTokens, vocabSize: number): Uint8Array {
  const mask = new Uint8Array(vocabSize);
  mask.fill(1, Math.min(tokens.sot, vocabSize));
  for (const id of tokens.suppress) if (id < vocabSize) mask[id] = 1;
  return mask;
}

/** Argmax over the ids not masked and not in `also`; -1 if none is finite (treated as end of text). */
export function pickToken(logits: Float32Array, mask: Uint8Array, also: readonly number[] = []): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    if (mask[i]) continue;
    const v = logits[i] as number;
    if (v > bestValue && !also.includes(i)) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}

export interface WhisperResult {
  /** generated ids, the end of text not included */
  ids: number[];
  text: string;
  /** decoder calls made */
  steps: number;
  /**
   * Mean log-probability of the chosen tokens, the end of text included when it was chosen (softmax over the ids
   * that may win at that step); 0 when nothing was decoded. Whisper's confidence: its made-up words on short or
   * unclear audio ("bye", "thanks" for a spoken digit) score low.
   */
  avgLogprob: number;
}

/** log(softmax(logits)[pick]) over the ids neither masked nor in `also` (the candidates pickToken chose from). */
export function pickLogprob(logits: Float32Array, mask: Uint8Array, pick: number, also: readonly number[] = []): number {
  const top = logits[pick] as number;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    if (mask[i] || also.includes(i)) continue;
    sum += Math.exp((logits[i] as number) - top);
  }
  return -Math.log(sum);
}

/**
 * Whisper's greedy decoding on one utterance: the prompt first (empty caches), then one token per step on the grown
 * caches; specials and `suppress` never win, `beginSuppress` not on the first step (a blank or an immediate end).
 * Stops at end of text or at the token budget for `speechSeconds` (the utterance without its silence padding;
 * absent: maxTokens); too little audio decodes to nothing.
 */
export async function whisperGreedy<C, P>(
  model: WhisperModel<C, P>,
  hidden: Float32Array,
  hiddenFrames: number,
  speechSeconds?: number,
): Promise<WhisperResult> {
  const { tokens, info } = model;
  if (hiddenFrames < MIN_WHISPER_HIDDEN) return { ids: [], text: '', steps: 0, avgLogprob: 0 };
  const mask = suppressMask(tokens, info.vocabSize);
  const budget = whisperTokenBudget(info, speechSeconds);
  const cross = await model.cross(hidden, hiddenFrames);
  const ids: number[] = [];
  let input: readonly number[] = tokens.prompt;
  let past: P | null = null;
  let steps = 0;
  let logprob = 0;
  let scored = 0;
  while (ids.length < budget) {
    const step = await model.step(input, past, cross);
    steps++;
    if (step.logits.length !== info.vocabSize) {
      throw new Error(`whisper decoder: logits has ${step.logits.length} values, vocabSize is ${info.vocabSize}`);
    }
    past = step.past;
    const also = ids.length === 0 ? tokens.beginSuppress : [];
    const id = pickToken(step.logits, mask, also);
    if (id < 0) break;
    logprob += pickLogprob(step.logits, mask, id, also);
    scored++;
    if (id === tokens.eot) break;
    ids.push(id);
    input = [id];
  }
  return { ids, text: decodeWhisperText(ids, tokens), steps, avgLogprob: scored > 0 ? logprob / scored : 0 };
}

/**
 * The level's transducer head on the full-context encoder output: the same greedy decoder as streaming, on a fresh
 * token context (an utterance starts on blanks there too), its frames numbered from the utterance's start.
 */
export function transducerFullPass(
  model: TransducerModel,
  config: DecoderConfig,
  encoderOut: Float32Array,
  frames: number,
  startEncoderFrame: number,
): Promise<Emission[]> {
  return new GreedyDecoder(model, config, startEncoderFrame).decode(encoderOut, frames);
}

/**
 * Word timings for text that came without any (Whisper's): its words spread evenly over the span in which the
 * streaming pass emitted this utterance's characters, marked approximate.
 */
export function spreadWords(text: string, emissions: readonly Emission[], frameSeconds = ENCODER_FRAME_SECONDS): WordTiming[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return [];
  const frames = emissions.map((e) => e.frame);
  const from = frames.length > 0 ? Math.min(...frames) * frameSeconds : 0;
  const to = frames.length > 0 ? (Math.max(...frames) + 1) * frameSeconds : 0;
  const each = (to - from) / words.length;
  return words.map((word, i) => ({ word, start: round(from + i * each), end: round(from + (i + 1) * each), approximate: true }));
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

export interface FinalLine {
  text: string;
  words: WordTiming[];
  pass: FinalTextSource;
  /** Whisper's lines: its mean token log-probability (WhisperResult.avgLogprob) */
  avgLogprob?: number;
}

/**
 * What the final line says: the second pass's text when it has any words, else the streaming text. A second pass
 * that failed, was skipped, or heard nothing (Whisper sometimes returns only punctuation) must never blank a line
 * the user already saw. Nor may a Whisper line less confident than `minAvgLogprob` (finalPass.whisper.minAvgLogprob)
 * replace it: on a lone short word Whisper often writes a likely word it did not hear. A one-word line is held to
 * `minAvgLogprobOneWord` instead where the manifest gives one (its lone-word guesses score between the two bounds).
 */
export function chooseFinal(
  stream: { text: string; words: WordTiming[] },
  second: FinalLine | null,
  minAvgLogprob?: number,
  minAvgLogprobOneWord?: number,
): FinalLine {
  const words = second ? normalizeWhisperText(second.text).split(/\s+/).filter(Boolean).length : 0;
  const bound = words === 1 && minAvgLogprobOneWord !== undefined ? minAvgLogprobOneWord : minAvgLogprob;
  const unsure = bound !== undefined && second?.avgLogprob !== undefined && second.avgLogprob < bound;
  if (second && !unsure && words > 0) return second;
  return { text: stream.text, words: stream.words, pass: 'stream' };
}

/** The first `rows` rows of a row-major [frames, width] array (a view). */
function firstRows(data: Float32Array, frames: number, rows: number): Float32Array {
  const width = frames > 0 ? data.length / frames : 0;
  return data.subarray(0, Math.min(rows, frames) * width);
}

export interface SecondPassModels {
  manifest: Manifest;
  /** the current level's encoderFull */
  encoder: FullContextEncoder;
  /** the current level's head ('transducer') */
  transducer: TransducerModel;
  /** Whisper, loaded on first use ('whisper') */
  whisper: () => Promise<WhisperModel>;
}

/**
 * One second pass over an utterance: the full-context encoder on its frames (plus, for Whisper, the silence padding), then either
 * the level's transducer head on the rows covering the utterance (exact word timings from its emissions) or
 * Whisper's decoder on all hidden rows (words spread over `streamEmissions`, the streaming pass's). Throws what the
 * models throw; the caller keeps the streaming text then.
 */
export async function runSecondPass(
  kind: 'transducer' | 'whisper',
  audio: UtteranceAudio,
  streamEmissions: readonly Emission[],
  models: SecondPassModels,
): Promise<FinalLine> {
  const m = models.manifest;
  // Only Whisper's decoder needs to see the audio end; the transducer reads the utterance's own rows, and the padding
  // tripled its encoder time (85 -> 250 ms on an 8 s utterance, Node).
  const pad = kind === 'whisper' ? (m.finalPass?.silencePadFrames ?? 0) : 0;
  const input = fullContextInput(audio.frames, m.featureDim, pad, m.padValue, m.finalPass?.maxFrames ?? audio.frames.length);
  const out = await models.encoder.run(input.features, input.frames);
  if (kind === 'transducer') {
    const rows = Math.min(out.encoderFrames, input.utteranceRows);
    const enc = firstRows(out.encoderOut, out.encoderFrames, rows);
    const start = Math.round(audio.start / m.subsampling);
    const found = await transducerFullPass(models.transducer, decoderConfigOf(m), enc, rows, start);
    const text = tokensToText(
      found.map((e) => e.token),
      m.vocabulary,
      m.blankId,
    );
    return { text, words: wordsFromEmissions(found, m.vocabulary), pass: 'transducer' };
  }
  const seconds = (audio.frames.length * m.frontend.hopLength) / m.frontend.sampleRate;
  const { text, avgLogprob } = await whisperGreedy(await models.whisper(), out.hidden, out.hiddenFrames, seconds);
  return { text, words: spreadWords(text, streamEmissions), pass: 'whisper', avgLogprob };
}

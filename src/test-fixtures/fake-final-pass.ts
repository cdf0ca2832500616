// Fakes of the second pass's models (contracts §7) for recognizer and final-pass tests, no ONNX involved. The fake
// full-context encoder reads the frame indices written by indexedFrames (fake-engine.ts): its encoder_out row k holds
// FULL_ROW_OFFSET + the global encoder frame it covers, so a transducer script can say what the second pass emits
// (script[FULL_ROW_OFFSET + e]) separately from what streaming emits (script[e]). Its hidden row u holds the feature
// index of frame 2u, which the fake Whisper reads to pick its reply.

import type { FullContextEncoder, FullContextOutput, ModelLoader, WhisperModel } from '../asr/engine';
import type { LevelInfo, WhisperInfo } from '../asr/types';
import { bytesToTokenString, type WhisperTokens } from '../asr/whisper-tokens';
import { indexOfFrameValue } from './fake-engine';
import { FAKE_J } from './fake-model';

export const FULL_ROW_OFFSET = 10000;
export const FAKE_D_MODEL = 4;

export interface FakeFullEncoder extends FullContextEncoder {
  /** per call: the global feature index of the first and last frame, and the frame count */
  calls: { first: number; last: number; frames: number }[];
  disposed: boolean;
}

export interface Gate {
  /** resolves when a call reached the gate */
  reached: Promise<void>;
  open(): void;
}

/** A gate for one call: the call waits at it until open() (to land other work "during" a second pass). */
export function gate(): Gate & { wait(): Promise<void> } {
  let open!: () => void;
  let reach!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const reached = new Promise<void>((r) => (reach = r));
  return {
    reached,
    open,
    wait() {
      reach();
      return opened;
    },
  };
}

export function fakeFullEncoder(opts: { featureDim?: number; fail?: Error; gate?: { wait(): Promise<void> } } = {}): FakeFullEncoder {
  const dim = opts.featureDim ?? 80;
  const calls: FakeFullEncoder['calls'] = [];
  const enc: FakeFullEncoder = {
    calls,
    disposed: false,
    async run(features: Float32Array, frames: number): Promise<FullContextOutput> {
      if (features.length !== frames * dim) throw new Error(`bad feature tensor size ${features.length} for ${frames} frames`);
      const index = (t: number): number => indexOfFrameValue(features[t * dim] ?? 0);
      calls.push({ first: index(0), last: index(frames - 1), frames });
      await opts.gate?.wait();
      if (opts.fail) throw opts.fail;
      const U = Math.floor((frames - 1) / 2) + 1;
      const K = Math.floor(U / 2);
      const hidden = new Float32Array(U * FAKE_D_MODEL);
      for (let u = 0; u < U; u++) hidden[u * FAKE_D_MODEL] = index(2 * u);
      const encoderOut = new Float32Array(K * FAKE_J);
      for (let k = 0; k < K; k++) encoderOut[k * FAKE_J] = FULL_ROW_OFFSET + Math.floor(index(4 * k) / 4);
      return { hidden, hiddenFrames: U, encoderOut, encoderFrames: K };
    },
    dispose() {
      enc.disposed = true;
      return Promise.resolve();
    },
  };
  return enc;
}

/** A small Whisper-like vocabulary: text tokens, then eot, sot, a "no speech" special, noTimestamps. */
export function fakeWhisperTokens(texts: readonly string[]): WhisperTokens {
  const eot = texts.length;
  const utf8 = new TextEncoder();
  return {
    vocab: [...texts.map((t) => bytesToTokenString(utf8.encode(t))), '<|endoftext|>', '<|startoftranscript|>', '<|nospeech|>', '<|notimestamps|>'],
    eot,
    sot: eot + 1,
    noTimestamps: eot + 3,
    prompt: [eot + 1, eot + 3],
    suppress: [],
    beginSuppress: [eot],
  };
}

export function whisperInfo(vocabSize: number, maxTokens = 224): WhisperInfo {
  const file = (path: string) => ({ path, sha256: 'c'.repeat(64), bytes: 1 });
  return {
    cross: file('whisper/cross.onnx'),
    decoder: file('whisper/decoder.onnx'),
    tokens: file('whisper/tokens.json'),
    layers: 2,
    dModel: FAKE_D_MODEL,
    vocabSize,
    maxTokens,
    bytes: { raw: 3, gzip: 3 },
    license: 'MIT',
  };
}

export interface FakeWhisper extends WhisperModel<{ first: number; frames: number }, number[]> {
  /** every decoder call: the tokens fed and the past length */
  steps: { tokens: number[]; past: number }[];
  crossCalls: { first: number; frames: number }[];
  disposed: boolean;
}

/**
 * Whisper whose reply depends on the utterance: reply(first feature index of the utterance) gives the ids it
 * generates, then end of text. `tempt` ids get a higher logit than the reply on every step (what suppression must
 * stop).
 */
export function fakeWhisper(
  tokens: WhisperTokens,
  reply: (first: number) => number[],
  opts: { tempt?: number[]; info?: Partial<WhisperInfo> } = {},
): FakeWhisper {
  const V = tokens.vocab.length;
  const steps: FakeWhisper['steps'] = [];
  const crossCalls: FakeWhisper['crossCalls'] = [];
  const w: FakeWhisper = {
    info: { ...whisperInfo(V), ...opts.info },
    tokens,
    steps,
    crossCalls,
    disposed: false,
    cross(hidden: Float32Array, frames: number) {
      const c = { first: hidden[0] ?? -1, frames };
      crossCalls.push(c);
      return Promise.resolve(c);
    },
    step(ids: readonly number[], past: number[] | null, cross: { first: number }) {
      steps.push({ tokens: [...ids], past: past?.length ?? 0 });
      const seq = [...(past ?? []), ...ids];
      const generated = seq.length - tokens.prompt.length;
      const want = reply(cross.first)[generated] ?? tokens.eot;
      const logits = new Float32Array(V);
      logits[want] = 5;
      for (const t of opts.tempt ?? []) logits[t] = 9;
      return Promise.resolve({ logits, past: seq });
    },
    dispose() {
      w.disposed = true;
      return Promise.resolve();
    },
  };
  return w;
}

export type SecondPassLoader = ModelLoader & {
  fullEncoders: Map<string, FakeFullEncoder>;
  /** loadFullEncoder / loadWhisper calls, in order */
  secondLoads: string[];
};

/** Adds the second pass's loaders to a fake loader; `full(level)` makes each level's encoder (default: a plain fake). */
export function withSecondPass(
  base: ModelLoader,
  opts: { whisper?: FakeWhisper; full?: (level: LevelInfo) => FakeFullEncoder } = {},
): SecondPassLoader {
  const fullEncoders = new Map<string, FakeFullEncoder>();
  const secondLoads: string[] = [];
  return {
    backend: base.backend,
    fullEncoders,
    secondLoads,
    load: (level) => base.load(level),
    loadFullEncoder(level) {
      secondLoads.push(`full:${level.id}`);
      const enc = opts.full?.(level) ?? fakeFullEncoder();
      fullEncoders.set(level.id, enc);
      return Promise.resolve(enc);
    },
    loadWhisper() {
      secondLoads.push('whisper');
      return opts.whisper ? Promise.resolve(opts.whisper) : Promise.reject(new Error('no whisper in this fake'));
    },
  };
}

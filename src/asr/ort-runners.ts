// Adapts onnxruntime sessions (web or node; both expose the onnxruntime-common API) to the engine interfaces.
// Structural types only: backend.ts / backend-node.ts stay the only modules that import onnxruntime.

import type { TransducerModel } from './decoder';
import type { EncoderModel, EncoderStep, FullContextEncoder, LevelModels, StateTensor, WhisperModel } from './engine';
import { RecognizerError } from './errors';
import type { LevelInfo, Manifest, ModelFile, WhisperInfo } from './types';
import { whisperTokensFromBytes, type WhisperTokens } from './whisper-tokens';

export interface OrtTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
}

export interface OrtSessionLike {
  run(feeds: Record<string, never>): Promise<Record<string, OrtTensorLike>>;
  release(): Promise<void>;
}

export type TensorFactory = (
  type: 'float32' | 'int64',
  data: Float32Array | BigInt64Array,
  dims: readonly number[],
) => OrtTensorLike;

function float32(t: OrtTensorLike | undefined, name: string): Float32Array {
  if (!t || !(t.data instanceof Float32Array)) throw new Error(`model output "${name}" missing or not float32`);
  return t.data;
}

type Feeds = Record<string, OrtTensorLike>;
const run = (s: OrtSessionLike, feeds: Feeds): Promise<Record<string, OrtTensorLike>> =>
  s.run(feeds as Record<string, never>);

export function ortEncoder(session: OrtSessionLike, tensor: TensorFactory, chunkFrames: number, featureDim: number): EncoderModel {
  return {
    async run(features: Float32Array, states: readonly StateTensor[]): Promise<EncoderStep> {
      const feeds: Feeds = { features: tensor('float32', features, [1, chunkFrames, featureDim]) };
      for (const s of states) feeds[s.spec.name] = tensor(s.spec.dtype, s.data, s.spec.shape);
      const out = await run(session, feeds);
      const enc = out.encoder_out;
      const encoderOut = float32(enc, 'encoder_out');
      const next = states.map((s): StateTensor => {
        const t = out[`${s.spec.name}_out`];
        if (!t) throw new Error(`encoder output "${s.spec.name}_out" missing`);
        const data = t.data;
        if (s.spec.dtype === 'int64' ? !(data instanceof BigInt64Array) : !(data instanceof Float32Array)) {
          throw new Error(`encoder output "${s.spec.name}_out" is not ${s.spec.dtype}`);
        }
        return { spec: s.spec, data: data as Float32Array | BigInt64Array };
      });
      return { encoderOut, frames: enc?.dims[1] ?? 0, states: next };
    },
  };
}

/** The joiner width J differs per level (structured pruning), so shapes are derived from the data. */
export function ortTransducer(predictor: OrtSessionLike, joiner: OrtSessionLike, tensor: TensorFactory): TransducerModel {
  return {
    async predictor(context: Int32Array, n: number): Promise<Float32Array> {
      const ids = BigInt64Array.from(context, (v) => BigInt(v));
      const out = await run(predictor, { context: tensor('int64', ids, [n, context.length / n]) });
      return float32(out.predictor_out, 'predictor_out');
    },
    async joiner(enc: Float32Array, pred: Float32Array, n: number): Promise<Float32Array> {
      const out = await run(joiner, {
        encoder_out: tensor('float32', enc, [n, enc.length / n]),
        predictor_out: tensor('float32', pred, [n, pred.length / n]),
      });
      return float32(out.logits, 'logits');
    },
  };
}

export function ortLevelModels(
  level: LevelInfo,
  sessions: { encoder: OrtSessionLike; predictor: OrtSessionLike; joiner: OrtSessionLike },
  tensor: TensorFactory,
  geometry: { chunkInputFrames: number; featureDim: number },
): LevelModels {
  return {
    level,
    encoder: ortEncoder(sessions.encoder, tensor, geometry.chunkInputFrames, geometry.featureDim),
    transducer: ortTransducer(sessions.predictor, sessions.joiner, tensor),
    async dispose() {
      await Promise.all([sessions.encoder.release(), sessions.predictor.release(), sessions.joiner.release()]);
    },
  };
}

/** A level's encoderFull: `features` [1, T, featureDim] -> `hidden` [1, U, dModel], `encoder_out` [1, K, J]. */
export function ortFullEncoder(session: OrtSessionLike, tensor: TensorFactory, featureDim: number): FullContextEncoder {
  return {
    async run(features: Float32Array, frames: number) {
      const out = await run(session, { features: tensor('float32', features, [1, frames, featureDim]) });
      const hidden = float32(out.hidden, 'hidden');
      const encoderOut = float32(out.encoder_out, 'encoder_out');
      return { hidden, hiddenFrames: out.hidden?.dims[1] ?? 0, encoderOut, encoderFrames: out.encoder_out?.dims[1] ?? 0 };
    },
    dispose: () => session.release(),
  };
}

/** Cache tensors by input name; the decoder's outputs are renamed to its inputs' names and fed back as they are. */
type Caches = Record<string, OrtTensorLike>;

/**
 * Whisper's cross and decoder sessions (contracts §7). The first step feeds empty self-attention caches
 * ([1, 0, dModel]); every later one feeds the previous step's `self_*_out` tensors back unchanged.
 */
export function ortWhisper(
  sessions: { cross: OrtSessionLike; decoder: OrtSessionLike },
  tensor: TensorFactory,
  info: WhisperInfo,
  tokens: WhisperTokens,
): WhisperModel<Caches, Caches> {
  const selfNames = Array.from({ length: info.layers }, (_, l) => [`self_k${l}`, `self_v${l}`]).flat();
  const crossNames = Array.from({ length: info.layers }, (_, l) => [`cross_k${l}`, `cross_v${l}`]).flat();
  const empty = (): Caches => Object.fromEntries(selfNames.map((n) => [n, tensor('float32', new Float32Array(0), [1, 0, info.dModel])]));
  return {
    info,
    tokens,
    async cross(hidden: Float32Array, frames: number): Promise<Caches> {
      const out = await run(sessions.cross, { hidden: tensor('float32', hidden, [1, frames, info.dModel]) });
      return Object.fromEntries(
        crossNames.map((n) => {
          const t = out[n];
          float32(t, n);
          return [n, t as OrtTensorLike];
        }),
      );
    },
    async step(ids: readonly number[], past: Caches | null, cross: Caches) {
      const feeds: Feeds = {
        tokens: tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [1, ids.length]),
        ...(past ?? empty()),
        ...cross,
      };
      const out = await run(sessions.decoder, feeds);
      const next: Caches = {};
      for (const n of selfNames) {
        const t = out[`${n}_out`];
        float32(t, `${n}_out`);
        next[n] = t as OrtTensorLike;
      }
      return { logits: float32(out.logits, 'logits'), past: next };
    },
    async dispose() {
      await Promise.all([sessions.cross.release(), sessions.decoder.release()]);
    },
  };
}

/**
 * The second pass's lazy loaders (contracts §7), the same for onnxruntime-web and -node: they differ only in how a
 * verified file becomes a session (`open`) or bytes (`bytesOf`).
 */
export function ortSecondPassLoaders(
  manifest: Manifest,
  open: (file: ModelFile) => Promise<OrtSessionLike>,
  bytesOf: (file: ModelFile) => Promise<Uint8Array>,
  tensor: TensorFactory,
): { loadFullEncoder(level: LevelInfo): Promise<FullContextEncoder>; loadWhisper(): Promise<WhisperModel> } {
  return {
    async loadFullEncoder(level: LevelInfo): Promise<FullContextEncoder> {
      const file = level.files.encoderFull;
      if (!file) throw new RecognizerError('model-missing', `level ${level.id} has no full-context encoder (files.encoderFull)`);
      return ortFullEncoder(await open(file), tensor, manifest.featureDim);
    },
    async loadWhisper(): Promise<WhisperModel> {
      const info = manifest.finalPass?.whisper;
      if (!info) throw new RecognizerError('model-missing', 'this model has no Whisper decoder (manifest finalPass.whisper)');
      const tokens = whisperTokensFromBytes(await bytesOf(info.tokens), info.vocabSize, info.tokens.path);
      const cross = await open(info.cross);
      // a decoder that fails to load must not leave the cross session held
      const decoder = await open(info.decoder).catch(async (err: unknown) => {
        await cross.release();
        throw err;
      });
      return ortWhisper({ cross, decoder }, tensor, info, tokens);
    },
  };
}

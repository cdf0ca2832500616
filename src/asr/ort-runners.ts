// Adapts onnxruntime sessions (web or node; both expose the onnxruntime-common API) to the engine interfaces.
// Structural types only: backend.ts / backend-node.ts stay the only modules that import onnxruntime.

import type { TransducerModel } from './decoder';
import type { EncoderModel, EncoderStep, LevelModels, StateTensor } from './engine';
import type { LevelInfo } from './types';

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

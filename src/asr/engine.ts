// The model-facing seam between the pure streaming logic (session, decoder, recognizer) and an inference runtime
// (onnxruntime-web in the browser, onnxruntime-node in the CLI, a fake in unit tests).

import type { BackendName, LevelInfo, StateSpec, WhisperInfo } from './types';
import type { TransducerModel } from './decoder';
import type { WhisperTokens } from './whisper-tokens';

export interface StateTensor {
  spec: StateSpec;
  data: Float32Array | BigInt64Array;
}

export interface EncoderStep {
  /** encoder_out [1, n, J] flattened */
  encoderOut: Float32Array;
  /** n: encoder frames in encoderOut */
  frames: number;
  /** the X_out tensors, in the manifest's state order */
  states: StateTensor[];
}

export interface EncoderModel {
  /** features [1, chunkInputFrames, featureDim] flattened, plus the current states in manifest order */
  run(features: Float32Array, states: readonly StateTensor[]): Promise<EncoderStep>;
}

export interface LevelModels {
  level: LevelInfo;
  encoder: EncoderModel;
  transducer: TransducerModel;
  dispose(): Promise<void>;
}

/** The full-context encoder's outputs for one utterance (docs/contracts.md §7). */
export interface FullContextOutput {
  /** hidden [U, dModel] flattened, U = floor((T - 1) / 2) + 1: what Whisper's decoder cross-attends to */
  hidden: Float32Array;
  hiddenFrames: number;
  /** encoder_out [floor(U / 2), J] flattened: rows for the level's own greedy transducer decoder */
  encoderOut: Float32Array;
  encoderFrames: number;
}

/** A level's `encoderFull`: the streaming encoder's weights reading a whole utterance at once. */
export interface FullContextEncoder {
  /** features [T, featureDim] flattened: the utterance's frames exactly as the streaming encoder consumed them */
  run(features: Float32Array, frames: number): Promise<FullContextOutput>;
  dispose(): Promise<void>;
}

export interface WhisperStep<Past> {
  /** [vocabSize] for the last input token */
  logits: Float32Array;
  /** the self-attention caches grown by the input tokens */
  past: Past;
}

/**
 * Whisper tiny.en's decoder (finalPass.whisper). `Cross` and `Past` are the runtime's own cache handles (onnxruntime
 * tensors), passed back untouched, so a decoding step does not copy 2 x layers caches through JavaScript arrays.
 */
export interface WhisperModel<Cross = unknown, Past = unknown> {
  readonly info: WhisperInfo;
  readonly tokens: WhisperTokens;
  /** the cross-attention keys/values of every layer for hidden [U, dModel] */
  cross(hidden: Float32Array, frames: number): Promise<Cross>;
  /** feeds `tokens` after `past` (null: nothing fed yet) */
  step(tokens: readonly number[], past: Past | null, cross: Cross): Promise<WhisperStep<Past>>;
  dispose(): Promise<void>;
}

/**
 * Creates the three sessions of a level; implementations verify file hashes and map failures to error codes. The
 * second-pass models load separately and only on demand (nobody who keeps the streaming finals downloads them);
 * a loader without them offers no second pass.
 */
export interface ModelLoader {
  readonly backend: BackendName;
  load(level: LevelInfo): Promise<LevelModels>;
  /** the level's files.encoderFull; 'model-missing' when the level has none */
  loadFullEncoder?(level: LevelInfo): Promise<FullContextEncoder>;
  /** finalPass.whisper's cross/decoder sessions and tokens.json; 'model-missing' when the manifest has none */
  loadWhisper?(): Promise<WhisperModel>;
}

export function zeroState(spec: StateSpec): StateTensor {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  return { spec, data: spec.dtype === 'int64' ? new BigInt64Array(size) : new Float32Array(size) };
}

// The model-facing seam between the pure streaming logic (session, decoder, recognizer) and an inference runtime
// (onnxruntime-web in the browser, onnxruntime-node in the CLI, a fake in unit tests).

import type { BackendName, LevelInfo, StateSpec } from './types';
import type { TransducerModel } from './decoder';

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

/** Creates the three sessions of a level; implementations verify file hashes and map failures to error codes. */
export interface ModelLoader {
  readonly backend: BackendName;
  load(level: LevelInfo): Promise<LevelModels>;
}

export function zeroState(spec: StateSpec): StateTensor {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  return { spec, data: spec.dtype === 'int64' ? new BigInt64Array(size) : new Float32Array(size) };
}

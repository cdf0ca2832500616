// A fake inference runtime for session/recognizer tests. Test feature frames carry their global index in
// feature[0] (encoded far below any real log-mel value, so it adds no energy); the encoder turns each group of
// `subsampling` frames into one row holding its encoder frame index e (-1 for padding), and keeps an int64 'step'
// state counting the chunks since the last reset.

import type { EncoderModel, EncoderStep, LevelModels, ModelLoader, StateTensor } from '../asr/engine';
import type { LevelInfo } from '../asr/types';
import type { TransducerModel } from '../asr/decoder';
import { FAKE_J, scriptedTransducer } from './fake-model';

export interface FakeEncoder extends EncoderModel {
  inputs: Float32Array[];
  steps: bigint[];
  /** value of an int64 'position' state at each call, where the level has one (passed through unchanged) */
  positions: bigint[];
}

export function fakeEncoder(featureDim = 80, framesIn = 20, subsampling = 4, rowsOut = 4): FakeEncoder {
  const inputs: Float32Array[] = [];
  const steps: bigint[] = [];
  const positions: bigint[] = [];
  return {
    inputs,
    steps,
    positions,
    run(features: Float32Array, states: readonly StateTensor[]): Promise<EncoderStep> {
      if (features.length !== framesIn * featureDim) throw new Error(`bad feature tensor size ${features.length}`);
      inputs.push(features.slice());
      const out = new Float32Array(rowsOut * FAKE_J);
      for (let r = 0; r < rowsOut; r++) out[r * FAKE_J] = indexOfFrameValue(features[r * subsampling * featureDim] ?? 0) / subsampling;
      const position = states.find((s) => s.spec.name === 'position');
      if (position) positions.push((position.data as BigInt64Array)[0] ?? 0n);
      const next = states.map((s): StateTensor => {
        if (s.spec.name !== 'step') return { spec: s.spec, data: s.data.slice() };
        const d = (s.data as BigInt64Array).slice();
        steps.push(d[0] ?? 0n);
        d[0] = (d[0] ?? 0n) + 1n;
        return { spec: s.spec, data: d };
      });
      return Promise.resolve({ encoderOut: out, frames: rowsOut, states: next });
    },
  };
}

export interface RecordingTransducer extends TransducerModel {
  /** per joiner call, the encoder frame id (first value) of each row it was given */
  joinerRows: number[][];
  /** per predictor call, the token context it was given */
  contexts: number[][];
}

/**
 * Wraps a transducer to record what the decoder fed it (which encoder rows were decoded, with which context).
 * `onJoiner` also sees every joiner call, for a log shared by several levels.
 */
export function recordingTransducer(inner: TransducerModel, onJoiner?: (rows: number[]) => void): RecordingTransducer {
  const joinerRows: number[][] = [];
  const contexts: number[][] = [];
  return {
    joinerRows,
    contexts,
    predictor(context: Int32Array, n: number): Promise<Float32Array> {
      contexts.push(Array.from(context));
      return inner.predictor(context, n);
    },
    joiner(enc: Float32Array, pred: Float32Array, n: number): Promise<Float32Array> {
      const rows = Array.from({ length: n }, (_, i) => enc[i * FAKE_J] ?? NaN);
      joinerRows.push(rows);
      onJoiner?.(rows);
      return inner.joiner(enc, pred, n);
    },
  };
}

export type FakeLoader = ModelLoader & {
  loads: string[];
  encoders: Map<string, FakeEncoder>;
  transducers: Map<string, RecordingTransducer>;
  /** every joiner call of every level, in call order */
  joinerLog: { level: string; rows: number[] }[];
};

/** Loader whose levels all decode `script` (indexed by global encoder frame); records what was loaded. */
export function fakeLoader(script: number[][], vocabSize: number): FakeLoader {
  const loads: string[] = [];
  const encoders = new Map<string, FakeEncoder>();
  const transducers = new Map<string, RecordingTransducer>();
  const joinerLog: { level: string; rows: number[] }[] = [];
  return {
    backend: 'node-cpu',
    loads,
    encoders,
    transducers,
    joinerLog,
    load(level: LevelInfo): Promise<LevelModels> {
      loads.push(level.id);
      const encoder = fakeEncoder();
      encoders.set(level.id, encoder);
      const transducer = recordingTransducer(scriptedTransducer(script, vocabSize), (rows) => joinerLog.push({ level: level.id, rows }));
      transducers.set(level.id, transducer);
      return Promise.resolve({ level, encoder, transducer, dispose: () => Promise.resolve() });
    },
  };
}

/** Feature frames whose feature[0] is the global frame index; the rest is loud (speech-like) or digital silence. */
export function indexedFrames(from: number, count: number, loud: boolean): Float32Array[] {
  return Array.from({ length: count }, (_, i) => {
    const f = new Float32Array(80).fill(loud ? 2 : Math.log(1e-6));
    f[0] = INDEX_BASE - (from + i);
    return f;
  });
}

const INDEX_BASE = -1000;

/** Global frame index written by indexedFrames, or -4 (an invalid row) for anything else such as padding. */
export function indexOfFrameValue(v: number): number {
  return v <= INDEX_BASE ? INDEX_BASE - v : -4;
}

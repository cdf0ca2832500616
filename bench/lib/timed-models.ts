// Wraps a level's models so every ONNX call is timed: this is the per-chunk breakdown (encoder session.run vs
// predictor vs joiner calls vs everything else, i.e. JS glue in the session and the decoder).

import type { TransducerModel } from '../../src/asr/decoder';
import type { EncoderModel } from '../../src/asr/engine';

export interface CallTimes {
  encoderMs: number;
  predictorMs: number;
  joinerMs: number;
  predictorCalls: number;
  joinerCalls: number;
}

export const zeroTimes = (): CallTimes => ({ encoderMs: 0, predictorMs: 0, joinerMs: 0, predictorCalls: 0, joinerCalls: 0 });

export type Clock = () => number;

export function timedEncoder(inner: EncoderModel, acc: CallTimes, now: Clock): EncoderModel {
  return {
    async run(features, states) {
      const t0 = now();
      try {
        return await inner.run(features, states);
      } finally {
        acc.encoderMs += now() - t0;
      }
    },
  };
}

export function timedTransducer(inner: TransducerModel, acc: CallTimes, now: Clock): TransducerModel {
  return {
    async predictor(context, n) {
      const t0 = now();
      try {
        return await inner.predictor(context, n);
      } finally {
        acc.predictorMs += now() - t0;
        acc.predictorCalls++;
      }
    },
    async joiner(enc, pred, n) {
      const t0 = now();
      try {
        return await inner.joiner(enc, pred, n);
      } finally {
        acc.joinerMs += now() - t0;
        acc.joinerCalls++;
      }
    },
  };
}

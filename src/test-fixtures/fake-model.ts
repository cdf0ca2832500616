// A scripted transducer for unit tests, no ONNX involved. Encoder rows carry their frame id; the predictor output
// carries the whole context (use a contextSize >= the longest per-frame script); the joiner emits the next token of
// the frame's script after the part of it already at the end of the context, then blank.

import type { TransducerModel } from '../asr/decoder';

export const FAKE_J = 8;

export interface CountingModel extends TransducerModel {
  calls: { joiner: number; predictor: number };
}

/** script[frame] = tokens that frame emits, in order; tokens must be unique across the script and non-blank. */
export function scriptedTransducer(script: readonly number[][], vocabSize: number, blankId = 0): CountingModel {
  const calls = { joiner: 0, predictor: 0 };
  return {
    calls,
    predictor(context: Int32Array, n: number): Promise<Float32Array> {
      calls.predictor++;
      const size = context.length / n;
      if (size > FAKE_J) throw new Error('fake predictor: contextSize too large');
      const out = new Float32Array(n * FAKE_J).fill(blankId);
      for (let i = 0; i < n; i++) out.set(context.subarray(i * size, (i + 1) * size), i * FAKE_J + FAKE_J - size);
      return Promise.resolve(out);
    },
    joiner(enc: Float32Array, pred: Float32Array, n: number): Promise<Float32Array> {
      calls.joiner++;
      const logits = new Float32Array(n * vocabSize);
      for (let i = 0; i < n; i++) {
        const tokens = script[enc[i * FAKE_J] ?? -1] ?? [];
        const ctx = Array.from(pred.subarray(i * FAKE_J, (i + 1) * FAKE_J));
        let done = 0;
        for (let k = Math.min(tokens.length, ctx.length); k > 0; k--) {
          if (tokens.slice(0, k).every((t, j) => ctx[ctx.length - k + j] === t)) {
            done = k;
            break;
          }
        }
        logits[i * vocabSize + (tokens[done] ?? blankId)] = 1;
      }
      return Promise.resolve(logits);
    },
  };
}

/** Encoder rows [n, FAKE_J] whose first value is the frame id. */
export function frameRows(first: number, n: number): Float32Array {
  const rows = new Float32Array(n * FAKE_J);
  for (let i = 0; i < n; i++) rows[i * FAKE_J] = first + i;
  return rows;
}

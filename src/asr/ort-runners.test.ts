// The onnxruntime adapters of the second pass, on fake sessions: tensor names, shapes and the cache hand-over
// (contracts §7), which the real-model integration test can only check end to end.
import { describe, expect, it } from 'vitest';
import { fakeWhisperTokens, whisperInfo } from '../test-fixtures/fake-final-pass';
import { ortFullEncoder, ortWhisper, type OrtSessionLike, type OrtTensorLike, type TensorFactory } from './ort-runners';

interface Tensor extends OrtTensorLike {
  type: string;
}
const tensor: TensorFactory = (type, data, dims) => ({ type, data, dims: [...dims] }) as Tensor;

/** A session that records its feeds and answers with `reply(feeds)`. */
function session(reply: (feeds: Record<string, Tensor>) => Record<string, OrtTensorLike>) {
  const feeds: Record<string, Tensor>[] = [];
  let released = false;
  const s: OrtSessionLike & { feeds: typeof feeds; released: () => boolean } = {
    feeds,
    released: () => released,
    run(f) {
      const given = f as unknown as Record<string, Tensor>;
      feeds.push(given);
      return Promise.resolve(reply(given));
    },
    release() {
      released = true;
      return Promise.resolve();
    },
  };
  return s;
}
const f32 = (n: number, dims: number[], fill = 0): OrtTensorLike => ({ data: new Float32Array(n).fill(fill), dims });

describe('ortFullEncoder', () => {
  it('feeds features [1, T, 80] and reads hidden and encoder_out with their frame counts', async () => {
    const s = session(() => ({ hidden: f32(5 * 384, [1, 5, 384]), encoder_out: f32(2 * 8, [1, 2, 8]) }));
    const enc = ortFullEncoder(s, tensor, 80);
    const out = await enc.run(new Float32Array(9 * 80), 9);
    expect(s.feeds[0]?.features?.dims).toEqual([1, 9, 80]);
    expect(out).toMatchObject({ hiddenFrames: 5, encoderFrames: 2 });
    expect(out.hidden).toHaveLength(5 * 384);
    await enc.dispose();
    expect(s.released()).toBe(true);
    const broken = ortFullEncoder(session(() => ({ hidden: f32(1, [1, 1, 1]) })), tensor, 80);
    await expect(broken.run(new Float32Array(80), 1)).rejects.toThrow(/"encoder_out" missing/);
  });
});

describe('ortWhisper', () => {
  const tokens = fakeWhisperTokens([' a', ' b']);
  const info = { ...whisperInfo(tokens.vocab.length), layers: 2, dModel: 3 };
  const crossOut = (f: Record<string, Tensor>): Record<string, OrtTensorLike> => {
    const U = f.hidden?.dims[1] ?? 0;
    return Object.fromEntries(['cross_k0', 'cross_v0', 'cross_k1', 'cross_v1'].map((n) => [n, f32(U * 3, [1, U, 3])]));
  };
  /** a decoder whose self caches grow by the tokens fed, filled with the step number */
  const decoderOut = (step: () => number) => (f: Record<string, Tensor>): Record<string, OrtTensorLike> => {
    const P = f.self_k0?.dims[1] ?? -1;
    const N = f.tokens?.dims[1] ?? 0;
    const n = step();
    const caches = Object.fromEntries(['self_k0', 'self_v0', 'self_k1', 'self_v1'].map((c) => [`${c}_out`, f32((P + N) * 3, [1, P + N, 3], n)]));
    return { logits: f32(info.vocabSize, [1, info.vocabSize]), ...caches };
  };

  it('first step: the prompt on empty [1, 0, dModel] caches; then the previous outputs fed back, with the cross caches', async () => {
    let steps = 0;
    const cross = session(crossOut);
    const decoder = session(decoderOut(() => ++steps));
    const w = ortWhisper({ cross, decoder }, tensor, info, tokens);
    const c = await w.cross(new Float32Array(7 * 3), 7);
    expect(cross.feeds[0]?.hidden?.dims).toEqual([1, 7, 3]);
    const first = await w.step(tokens.prompt, null, c);
    expect(first.logits).toHaveLength(info.vocabSize);
    const second = await w.step([0], first.past, c);
    await w.step([1], second.past, c);
    const [f0, f1, f2] = decoder.feeds;
    expect(f0?.tokens).toMatchObject({ type: 'int64', dims: [1, 2], data: BigInt64Array.from(tokens.prompt.map(BigInt)) });
    expect(f0?.self_v1).toMatchObject({ type: 'float32', dims: [1, 0, 3] });
    expect(f1?.tokens?.dims).toEqual([1, 1]);
    expect(f1?.self_k0?.dims).toEqual([1, 2, 3]);
    expect(f2?.self_v1?.dims).toEqual([1, 3, 3]);
    expect((f2?.self_v1?.data as Float32Array)[0]).toBe(2); // the second step's output, untouched
    expect(f2?.cross_k1?.dims).toEqual([1, 7, 3]);
    await w.dispose();
    expect([cross.released(), decoder.released()]).toEqual([true, true]);
  });

  it('names a missing output', async () => {
    const cross = session((f) => {
      const out = crossOut(f);
      delete out.cross_v1;
      return out;
    });
    const w = ortWhisper({ cross, decoder: session(() => ({})) }, tensor, info, tokens);
    await expect(w.cross(new Float32Array(3), 1)).rejects.toThrow(/"cross_v1" missing/);
    const ok = ortWhisper({ cross: session(crossOut), decoder: session(() => ({ logits: f32(9, [1, 9]) })) }, tensor, info, tokens);
    await expect(ok.step([1], null, await ok.cross(new Float32Array(3), 1))).rejects.toThrow(/"self_k0_out" missing/);
  });
});

import { describe, expect, it } from 'vitest';
import { FAKE_J, frameRows, scriptedTransducer } from '../test-fixtures/fake-model';
import { manifestJson } from '../test-fixtures/manifest-fixture';
import { parseManifest } from './manifest';
import { GreedyDecoder, argmax, decoderConfigOf, tokensToText, type DecoderConfig, type Emission, type TransducerModel } from './decoder';

const V = 29;
const config = (maxSymbolsPerFrame: number): DecoderConfig => ({
  blankId: 0,
  contextSize: FAKE_J,
  maxSymbolsPerFrame,
  vocabSize: V,
});

/** The textbook frame-by-frame greedy loop, as the reference for the batched decoder. */
async function naiveGreedy(model: TransducerModel, cfg: DecoderConfig, enc: Float32Array, n: number): Promise<Emission[]> {
  const ctx = new Array<number>(cfg.contextSize).fill(cfg.blankId);
  const out: Emission[] = [];
  for (let t = 0; t < n; t++) {
    for (let s = 0; s < cfg.maxSymbolsPerFrame; s++) {
      const pred = await model.predictor(Int32Array.from(ctx), 1);
      const logits = await model.joiner(enc.subarray(t * FAKE_J, (t + 1) * FAKE_J), pred, 1);
      const k = argmax(logits, 0, cfg.vocabSize);
      if (k === cfg.blankId) break;
      out.push({ token: k, frame: t });
      ctx.shift();
      ctx.push(k);
    }
  }
  return out;
}

describe('GreedyDecoder', () => {
  it('withModel hands position and token context to another level: split decoding equals one decoder', async () => {
    // The context decides frame 3 here: the fake joiner emits only the part of [4, 5] not already at the end of the
    // context, so with the context carried it emits 5, after a reset it would emit 4 again.
    const script = [[], [3, 4], [], [4, 5], [6, 7]];
    const whole = await new GreedyDecoder(scriptedTransducer(script, V), config(5)).decode(frameRows(0, 5), 5);
    expect(whole.map((e) => e.token)).toEqual([3, 4, 5, 6, 7]);
    const before = new GreedyDecoder(scriptedTransducer(script, V), config(5));
    const first = await before.decode(frameRows(0, 3), 3);
    const other = scriptedTransducer(script, V);
    const after = before.withModel(other);
    expect(after.framePosition).toBe(3);
    expect(after.contextTokens.slice(-2)).toEqual([3, 4]);
    const second = await after.decode(frameRows(3, 2), 2);
    expect([...first, ...second]).toEqual(whole);
    expect(other.calls.predictor).toBeGreaterThan(0); // the old model's cached prediction was not reused
  });

  it('emits tokens with their frame index, including several symbols in one frame', async () => {
    const script = [[], [3], [], [4, 5, 6], [], [], [7]];
    const d = new GreedyDecoder(scriptedTransducer(script, V), config(5));
    const out = await d.decode(frameRows(0, script.length), script.length);
    expect(out).toEqual([
      { token: 3, frame: 1 },
      { token: 4, frame: 3 },
      { token: 5, frame: 3 },
      { token: 6, frame: 3 },
      { token: 7, frame: 6 },
    ]);
  });

  it('caps symbols per frame at maxSymbolsPerFrame and moves on', async () => {
    const script = [[3, 4, 5, 6, 7, 8, 9], [10]];
    const d = new GreedyDecoder(scriptedTransducer(script, V), config(3));
    const out = await d.decode(frameRows(0, 2), 2);
    expect(out.map((e) => e.token)).toEqual([3, 4, 5, 10]);
    expect(out.map((e) => e.frame)).toEqual([0, 0, 0, 1]);
  });

  it('matches the naive frame-by-frame loop on a random script, across chunk splits', async () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let next = 1;
    const script = Array.from({ length: 40 }, () => {
      const r = rand();
      const n = r < 0.6 ? 0 : r < 0.85 ? 1 : Math.floor(rand() * 7);
      return Array.from({ length: n }, () => next++);
    });
    const vocab = next + 1;
    const model = scriptedTransducer(script, vocab);
    const cfg = { ...config(4), vocabSize: vocab };
    const want = await naiveGreedy(model, cfg, frameRows(0, 40), 40);
    const d = new GreedyDecoder(model, cfg);
    const got: Emission[] = [];
    for (let start = 0; start < 40; start += 4) got.push(...(await d.decode(frameRows(start, 4), 4)));
    expect(got).toEqual(want);
    expect(d.framePosition).toBe(40);
  });

  it('runs one batched joiner call for an all-blank chunk and caches predictor output', async () => {
    const model = scriptedTransducer([[], [], [], []], V);
    const d = new GreedyDecoder(model, config(5));
    await d.decode(frameRows(0, 4), 4);
    await d.decode(frameRows(4, 4), 4);
    expect(model.calls).toEqual({ joiner: 2, predictor: 1 });
  });

  it('numbers frames from startFrame and rejects wrongly sized input', async () => {
    const d = new GreedyDecoder(scriptedTransducer([[], [], [3]], V), config(5), 100);
    // frame ids in the rows drive the fake; the decoder adds its own global offset
    expect(await d.decode(frameRows(0, 3), 3)).toEqual([{ token: 3, frame: 102 }]);
    await expect(d.decode(new Float32Array(5), 1)).rejects.toThrow(RangeError);
  });
});

describe('tokensToText', () => {
  it('joins tokens, drops blanks, collapses spaces', () => {
    const vocab = ['<blank>', ' ', "'", ...'abcdefghijklmnopqrstuvwxyz'];
    const ids = (s: string): number[] => [...s].map((c) => vocab.indexOf(c));
    expect(tokensToText([1, ...ids('hi'), 0, 1, 1, ...ids("it's"), 1], vocab, 0)).toBe("hi it's");
  });
});

describe('decoderConfigOf', () => {
  it('takes the decoder settings from the manifest, the vocabulary size from its vocabulary', () => {
    const m = parseManifest(manifestJson());
    expect(decoderConfigOf(m)).toEqual({
      blankId: m.blankId,
      contextSize: m.contextSize,
      maxSymbolsPerFrame: m.maxSymbolsPerFrame,
      vocabSize: m.vocabulary.length,
    });
  });
});

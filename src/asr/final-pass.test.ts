import { describe, expect, it } from 'vitest';
import { FULL_ROW_OFFSET, fakeFullEncoder, fakeWhisper, fakeWhisperTokens } from '../test-fixtures/fake-final-pass';
import { indexedFrames } from '../test-fixtures/fake-engine';
import { manifestJson } from '../test-fixtures/manifest-fixture';
import { frameRows, scriptedTransducer } from '../test-fixtures/fake-model';
import {
  chooseFinal,
  fullContextInput,
  runSecondPass,
  LEAD_IN_FRAMES,
  pickToken,
  secondPassSkip,
  spreadWords,
  suppressMask,
  transducerFullPass,
  UtteranceFeatures,
  whisperGreedy,
  whisperTokenBudget,
} from './final-pass';
import { parseManifest } from './manifest';

const frames = (from: number, n: number): Float32Array[] => Array.from({ length: n }, (_, i) => Float32Array.of(from + i));
const ids = (a: readonly Float32Array[] | undefined): number[] => (a ?? []).map((f) => f[0] as number);

describe('UtteranceFeatures', () => {
  it('keeps every frame of an utterance with text, and where it starts in the stream', () => {
    const b = new UtteranceFeatures(100, 8);
    b.push(frames(0, 13), false);
    b.push(frames(13, 8), true);
    const u = b.take(21);
    expect(u?.start).toBe(5); // before the text only the last 8 frames (the lead-in) were kept
    expect(ids(u?.frames)).toEqual(Array.from({ length: 16 }, (_, i) => 5 + i));
    b.push(frames(21, 3), true);
    expect(b.take(24)).toMatchObject({ start: 21, frames: frames(21, 3) });
    expect(b.take(24)).toEqual({ start: 24, frames: [] });
  });

  it('drops leading silence beyond the lead-in, so a long wait before speaking cannot overflow it', () => {
    const b = new UtteranceFeatures(300);
    for (let i = 0; i < 100; i++) b.push(frames(16 * i, 16), false);
    expect(b.length).toBe(LEAD_IN_FRAMES);
    expect(b.hasOverflowed).toBe(false);
    b.push(frames(1600, 16), true);
    expect(b.take(1616)?.start).toBe(1616 - 16 - LEAD_IN_FRAMES);
  });

  it('an utterance longer than maxFrames: frames dropped at once, no audio handed out, counted once; the next one is fine', () => {
    const b = new UtteranceFeatures(50, 8);
    b.push(frames(0, 48), true);
    expect(b.length).toBe(48);
    b.push(frames(48, 16), true);
    expect(b.hasOverflowed).toBe(true);
    expect(b.length).toBe(0); // memory released, not held until the endpoint
    b.push(frames(64, 16), true);
    expect(b.overflows).toBe(1);
    expect(b.take(80)).toBeNull();
    b.push(frames(80, 50), true); // exactly maxFrames is allowed
    expect(b.take(130)).toMatchObject({ start: 80 });
    expect(b.overflows).toBe(1);
  });
});

describe('secondPassSkip', () => {
  it('says why an utterance gets no second pass', () => {
    expect(secondPassSkip('none', { frames: frames(0, 50), start: 0 })).toBe('off');
    expect(secondPassSkip('whisper', null)).toBe('overflow');
    expect(secondPassSkip('transducer', { frames: frames(0, 9), start: 0 })).toBe('too-short');
    expect(secondPassSkip('transducer', { frames: frames(0, 10), start: 0 })).toBeNull();
  });
});

describe('whisper greedy decoding', () => {
  // 0 " Hello", 1 ",", 2 " world", 3 ".", 4 " uh"; eot 5, sot 6, nospeech 7, notimestamps 8
  const tokens = { ...fakeWhisperTokens([' Hello', ',', ' world', '.', ' uh']), suppress: [4] };
  const hidden = (first: number, U: number): Float32Array => Float32Array.from({ length: U * 4 }, (_, i) => (i === 0 ? first : 0));

  it('feeds the prompt on empty caches, then one token per step on the grown caches, until end of text', async () => {
    const w = fakeWhisper(tokens, () => [0, 1, 2, 3]);
    const r = await whisperGreedy(w, hidden(7, 100), 100);
    expect(r).toMatchObject({ ids: [0, 1, 2, 3], text: 'Hello, world.', steps: 5 });
    // each step: logit 5 on the pick, 0 on the other allowed ids (V = 9: 5 texts + 4 specials, " uh" and the specials
    // masked, end of text not allowed first) -> log(e^5 / (e^5 + k)), k = 3 on the first step, 4 after
    const lp = (k: number): number => 5 - Math.log(Math.exp(5) + k);
    expect(r.avgLogprob).toBeCloseTo((lp(3) + 4 * lp(4)) / 5, 6);
    expect(w.steps).toEqual([
      { tokens: [6, 8], past: 0 },
      { tokens: [0], past: 2 },
      { tokens: [1], past: 3 },
      { tokens: [2], past: 4 },
      { tokens: [3], past: 5 },
    ]);
    expect(w.crossCalls).toEqual([{ first: 7, frames: 100 }]);
  });

  it('never generates specials or suppressed ids; on the first step not beginSuppress either', async () => {
    // sot, the no-speech special and " uh" always score higher than the reply
    const w = fakeWhisper(tokens, () => [2], { tempt: [6, 7, 4] });
    expect((await whisperGreedy(w, hidden(0, 100), 100)).text).toBe('world');
    // a reply that starts with end of text: the first step may not stop, so it takes the best allowed token
    const eager = fakeWhisper(tokens, () => [], { tempt: [] });
    const r = await whisperGreedy(eager, hidden(0, 100), 100);
    expect(r.ids[0]).not.toBe(tokens.eot);
    expect(r.steps).toBe(2);
  });

  it('stops at the token budget (a looping decoder), and decodes nothing from too little audio', async () => {
    const loop = fakeWhisper(tokens, () => Array.from({ length: 500 }, () => 0), { info: { baseTokens: 4, tokensPerSecond: 6 } });
    expect((await whisperGreedy(loop, hidden(0, 450), 450, 1.5)).ids).toHaveLength(13);
    expect((await whisperGreedy(loop, hidden(0, 450), 450)).ids).toHaveLength(224); // no speech length: maxTokens
    const short = fakeWhisper(tokens, () => [0]);
    expect(await whisperGreedy(short, hidden(0, 4), 4)).toEqual({ ids: [], text: '', steps: 0, avgLogprob: 0 });
    expect(short.steps).toEqual([]);
  });

  it('checks the logits width against vocabSize', async () => {
    const w = fakeWhisper(tokens, () => [0]);
    const bad = { ...w, info: { ...w.info, vocabSize: 51864 } };
    await expect(whisperGreedy(bad, hidden(0, 100), 100)).rejects.toThrow(/logits has 9 values, vocabSize is 51864/);
  });

  it("budget: the manifest's loop guard on the speech's seconds, capped by maxTokens", () => {
    const guard = { maxTokens: 224, baseTokens: 4, tokensPerSecond: 6 };
    expect(whisperTokenBudget(guard, 1)).toBe(10);
    expect(whisperTokenBudget(guard, 2.55)).toBe(19); // floor(4 + 15.3), as the exporter's evaluation rounds
    expect(whisperTokenBudget(guard, 60)).toBe(224);
    expect(whisperTokenBudget(guard)).toBe(224);
    expect(whisperTokenBudget({ maxTokens: 224 }, 1)).toBe(224); // no guard in the manifest
    expect(whisperTokenBudget({ maxTokens: 224, tokensPerSecond: 6 }, 1)).toBe(224);
  });

  it('mask and pick: specials from sot up and suppress masked; nothing finite picks -1', () => {
    const mask = suppressMask(tokens, 9);
    expect([...mask]).toEqual([0, 0, 0, 0, 1, 0, 1, 1, 1]);
    expect(pickToken(Float32Array.of(1, 2, 0, 0, 9, 3, 9, 9, 9), mask)).toBe(5);
    expect(pickToken(Float32Array.of(1, 2, 0, 0, 9, 3, 9, 9, 9), mask, [5])).toBe(1);
    expect(pickToken(new Float32Array(9).fill(-Infinity), mask)).toBe(-1);
  });
});

describe('transducerFullPass', () => {
  it('decodes the full-context rows with the greedy decoder, frames numbered from the utterance start', async () => {
    const script: number[][] = [];
    script[3] = [7, 8];
    script[5] = [9];
    const model = scriptedTransducer(script, 29);
    const config = { blankId: 0, contextSize: 8, maxSymbolsPerFrame: 5, vocabSize: 29 };
    const found = await transducerFullPass(model, config, frameRows(0, 8), 8, 100);
    expect(found).toEqual([
      { token: 7, frame: 103 },
      { token: 8, frame: 103 },
      { token: 9, frame: 105 },
    ]);
  });
});

describe('final line', () => {
  it('spreads words evenly over the streaming emissions, marked approximate', () => {
    const emissions = [
      { token: 3, frame: 10 },
      { token: 4, frame: 12 },
      { token: 5, frame: 19 },
    ];
    expect(spreadWords(' Hello,  big world. ', emissions)).toEqual([
      { word: 'Hello,', start: 0.4, end: 0.533, approximate: true },
      { word: 'big', start: 0.533, end: 0.667, approximate: true },
      { word: 'world.', start: 0.667, end: 0.8, approximate: true },
    ]);
    expect(spreadWords('', emissions)).toEqual([]);
  });

  it('takes the second pass when it has words, else keeps the streaming text', () => {
    const stream = { text: 'helo', words: [{ word: 'helo', start: 0, end: 0.2 }] };
    const whisper = { text: 'Hello.', words: [], pass: 'whisper' as const };
    expect(chooseFinal(stream, whisper)).toBe(whisper);
    expect(chooseFinal(stream, null)).toEqual({ ...stream, pass: 'stream' });
    expect(chooseFinal(stream, { ...whisper, text: ' ... ' })).toEqual({ ...stream, pass: 'stream' });
    expect(chooseFinal(stream, { text: '', words: [], pass: 'transducer' })).toEqual({ ...stream, pass: 'stream' });
  });

  it('keeps the streaming text when Whisper was unsure (mean token log-probability under the manifest bound)', () => {
    const stream = { text: 'nine', words: [{ word: 'nine', start: 0, end: 0.3 }] };
    const bye = { text: 'Bye.', words: [], pass: 'whisper' as const, avgLogprob: -0.95 };
    expect(chooseFinal(stream, bye, -0.8)).toEqual({ ...stream, pass: 'stream' });
    expect(chooseFinal(stream, { ...bye, avgLogprob: -0.8 }, -0.8).text).toBe('Bye.');
    expect(chooseFinal(stream, bye)).toBe(bye); // no bound in the manifest: as before
    // a one-word line is held to the one-word bound, a longer one to the general bound
    expect(chooseFinal(stream, { ...bye, avgLogprob: -0.6 }, -0.8, -0.5)).toEqual({ ...stream, pass: 'stream' });
    expect(chooseFinal(stream, { ...bye, text: 'Five.', avgLogprob: -0.5 }, -0.8, -0.5).text).toBe('Five.');
    const two = { ...bye, text: 'Front left.', avgLogprob: -0.6 };
    expect(chooseFinal(stream, two, -0.8, -0.5)).toBe(two);
    expect(chooseFinal(stream, { ...bye, avgLogprob: -0.6 }, -0.8).text).toBe('Bye.'); // no one-word bound: the general one
    expect(chooseFinal(stream, { ...bye, text: '21.', avgLogprob: -0.6 }, -0.8, -0.5).pass).toBe('stream'); // digits: one word (training/omnisparse/final_eval.py app_words)
    const transducer = { text: 'nine', words: [], pass: 'transducer' as const };
    expect(chooseFinal(stream, transducer, -0.8)).toBe(transducer); // the bound is Whisper's only
  });
});

describe('the full-context input and one second pass', () => {
  it('appends silence padding within maxFrames; says which rows cover the utterance', () => {
    const x = fullContextInput(frames(0, 9).map((f) => Float32Array.of(f[0] as number, 1)), 2, 4, -1, 3000);
    expect(x.frames).toBe(13);
    expect([...x.features]).toEqual([0, 1, 1, 1, 2, 1, 3, 1, 4, 1, 5, 1, 6, 1, 7, 1, 8, 1, -1, -1, -1, -1, -1, -1, -1, -1]);
    expect(x.utteranceRows).toBe(2); // floor(U / 2), U = (9 - 1) / 2 + 1
    expect(fullContextInput(frames(0, 2999), 1, 800, -1, 3000).frames).toBe(3000); // the padding gives way
    expect(fullContextInput(frames(0, 50), 1, 0, -1, 3000).frames).toBe(50);
  });

  const vocab = ['<blank>', ' ', "'", ...'abcdefghijklmnopqrstuvwxyz'];
  const t = (c: string): number => vocab.indexOf(c);
  const manifest = (pad: number) =>
    parseManifest({ ...manifestJson(), contextSize: 8, finalPass: { maxFrames: 3000, silencePadFrames: pad } });

  it("transducer: encodes and decodes only the utterance (no padding), numbered in the stream; timings are the head's own", async () => {
    const script: number[][] = [];
    script[FULL_ROW_OFFSET + 30] = [t('o')];
    script[FULL_ROW_OFFSET + 31] = [t('k')];
    script[FULL_ROW_OFFSET - 1] = [t('x')]; // what a padding row would emit: must never be decoded
    const encoder = fakeFullEncoder();
    const audio = { frames: indexedFrames(100, 32, true), start: 100 };
    const line = await runSecondPass('transducer', audio, [], {
      manifest: manifest(40),
      encoder,
      transducer: scriptedTransducer(script, vocab.length),
      whisper: () => Promise.reject(new Error('not used')),
    });
    expect(encoder.calls).toEqual([{ first: 100, last: 131, frames: 32 }]); // the utterance alone: no silence padding
    expect(line).toEqual({ text: 'ok', words: [{ word: 'ok', start: 1.2, end: 1.28 }], pass: 'transducer' });
  });

  it('whisper: reads every hidden row, padding included, with a token budget of the speech alone', async () => {
    const tokens = fakeWhisperTokens([' Okay', '.']);
    const whisper = fakeWhisper(tokens, () => Array.from({ length: 100 }, () => 0), { info: { baseTokens: 4, tokensPerSecond: 6 } });
    const audio = { frames: indexedFrames(0, 100, true), start: 0 };
    const emissions = [{ token: t('o'), frame: 5 }, { token: t('k'), frame: 9 }];
    const line = await runSecondPass('whisper', audio, emissions, {
      manifest: manifest(800),
      encoder: fakeFullEncoder(),
      transducer: scriptedTransducer([], vocab.length),
      whisper: () => Promise.resolve(whisper),
    });
    expect(whisper.crossCalls).toEqual([{ first: 0, frames: 450 }]); // (900 - 1) / 2 + 1
    expect(line.pass).toBe('whisper');
    expect(line.text.split(' ')).toHaveLength(10); // 1 s of speech: 4 + 6 tokens, not 9 s
    expect(line.words[0]).toEqual({ word: 'Okay', start: 0.2, end: 0.22, approximate: true });
  });
});

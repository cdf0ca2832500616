// The second pass at endpoints (final-pass.ts) inside the Recognizer, on fake models: the final replaces the
// partial, streaming text survives every way a second pass can come to nothing, and level switches, flushes and
// pass changes that arrive while a second pass runs neither lose nor duplicate text.
import { describe, expect, it } from 'vitest';
import {
  FULL_ROW_OFFSET,
  fakeFullEncoder,
  fakeWhisper,
  fakeWhisperTokens,
  gate,
  whisperInfo,
  withSecondPass,
  type FakeWhisper,
} from '../test-fixtures/fake-final-pass';
import { fakeLoader, indexedFrames } from '../test-fixtures/fake-engine';
import { manifestJson } from '../test-fixtures/manifest-fixture';
import type { LevelInfo } from './types';
import { parseManifest } from './manifest';
import { createRecognizer } from './recognizer';
import type { RecognizerEvent } from './types';

const vocab = ['<blank>', ' ', "'", ...'abcdefghijklmnopqrstuvwxyz'];
const t = (c: string): number => vocab.indexOf(c);
// " Hi" 0, " there" 1, "." 2, " Yo" 3, "!" 4; then eot 5, sot 6, nospeech 7, notimestamps 8
const whisperTokens = fakeWhisperTokens([' Hi', ' there', '.', ' Yo', '!']);

/**
 * Streaming hears "hi" (encoder frames 2-3) and later "yo" (60); the second pass hears "hey" and "ya" there. Fake
 * Whisper replies by the utterance's first feature frame: "Hi." for the one starting at 0, "Yo!" for the next.
 */
function script(): number[][] {
  const s: number[][] = [];
  s[2] = [t('h')];
  s[3] = [t('i')];
  s[60] = [t('y'), t('o')];
  s[FULL_ROW_OFFSET + 2] = [t('h')];
  s[FULL_ROW_OFFSET + 3] = [t('e')];
  s[FULL_ROW_OFFSET + 4] = [t('y')];
  s[FULL_ROW_OFFSET + 60] = [t('y')];
  s[FULL_ROW_OFFSET + 61] = [t('a')];
  return s;
}
const whisperReply = (first: number): number[] => (first === 0 ? [0, 2] : [3, 4]);

function manifestWith(o: { maxFrames?: number; whisper?: boolean; fullOn?: string[]; sharedFull?: boolean; minAvgLogprob?: number } = {}) {
  const json = { ...manifestJson(), contextSize: 8 } as Record<string, any>;
  for (const l of json.levels) {
    const path = o.sharedFull ? 'whisper/encoder_full.onnx' : `levels/${l.id}/encoder_full.onnx`;
    if ((o.fullOn ?? ['s0', 's50']).includes(l.id)) l.files.encoderFull = { path, sha256: 'd'.repeat(64), bytes: 1 };
  }
  json.finalPass = { maxFrames: o.maxFrames ?? 3000 };
  if (o.whisper !== false) json.finalPass.whisper = whisperInfo(whisperTokens.vocab.length);
  if (o.minAvgLogprob !== undefined) json.finalPass.whisper.minAvgLogprob = o.minAvgLogprob;
  return parseManifest(json);
}

function setup(o: Parameters<typeof manifestWith>[0] & { whisper?: boolean; full?: (level: LevelInfo) => ReturnType<typeof fakeFullEncoder> } = {}) {
  const manifest = manifestWith(o);
  const base = fakeLoader(script(), vocab.length);
  const whisper: FakeWhisper = fakeWhisper(whisperTokens, whisperReply);
  const loader = withSecondPass(base, { whisper, ...(o.full ? { full: o.full } : {}) });
  const events: RecognizerEvent[] = [];
  return { manifest, base, loader, whisper, events, listener: (e: RecognizerEvent) => events.push(e), endpoint: { silenceMs: 300 } };
}
const finals = (ev: RecognizerEvent[]) => ev.flatMap((e) => (e.type === 'final' ? [e] : []));
const lastPartial = (ev: RecognizerEvent[]) => ev.filter((e) => e.type === 'partial').at(-1);

/** "hi" then 2 s of silence (an endpoint after 48 frames), then "yo" (frames 220-249) left for flush. */
async function speakTwice(r: { pushFeatures(f: Float32Array[]): Promise<void>; flush(): Promise<void> }): Promise<void> {
  await r.pushFeatures([...indexedFrames(0, 20, true), ...indexedFrames(20, 200, false)]);
  await r.pushFeatures(indexedFrames(220, 30, true));
  await r.flush();
}

describe('recognizer: second pass at endpoints', () => {
  it("'none' (the default): finals are the streaming text, and no second-pass model is loaded", async () => {
    const { manifest, loader, events, listener, endpoint } = setup();
    const r = await createRecognizer({ manifest, loader, listener, endpoint });
    expect(r.finalPass).toBe('none');
    await speakTwice(r);
    expect(finals(events).map((f) => [f.text, f.pass, f.streamText])).toEqual([
      ['hi', 'stream', 'hi'],
      ['yo', 'stream', 'yo'],
    ]);
    expect(finals(events).every((f) => typeof f.finalLatencyMs === 'number' && f.finalLatencyMs >= 0)).toBe(true);
    expect(loader.secondLoads).toEqual([]);
    await r.dispose();
  });

  it("'transducer': the full-context pass re-decodes the whole utterance with the level's head and replaces the partial", async () => {
    const { manifest, loader, events, listener, endpoint } = setup();
    let clock = 0;
    const r = await createRecognizer({ manifest, loader, listener, endpoint, finalPass: 'transducer', now: () => (clock += 5) });
    expect(loader.secondLoads).toEqual(['full:s0']); // loaded up front; Whisper is not
    await speakTwice(r);
    const [a, b] = finals(events);
    expect(a).toMatchObject({ text: 'hey', pass: 'transducer', streamText: 'hi', level: 's0' });
    expect(a?.words).toEqual([{ word: 'hey', start: 0.08, end: 0.2 }]); // the second pass's own emission frames
    expect(b).toMatchObject({ text: 'ya', pass: 'transducer', streamText: 'yo' });
    expect(b?.words).toEqual([{ word: 'ya', start: 2.4, end: 2.48 }]);
    // the final's latency is the second pass's time on the (fake) clock: at least the encoder and decoder steps
    expect(a?.finalLatencyMs).toBeGreaterThan(0);
    // the partial shown until then is cleared right after its final
    const i = events.indexOf(a as RecognizerEvent);
    expect(lastPartial(events.slice(0, i))).toMatchObject({ text: 'hi' });
    expect(events[i + 1]).toEqual({ type: 'partial', text: '' });
    // the encoder read each utterance whole: [0, 48) up to the endpoint, then [48, 250) to the end of the stream
    expect(loader.fullEncoders.get('s0')?.calls).toEqual([
      { first: 0, last: 47, frames: 48 },
      { first: 48, last: 249, frames: 202 },
    ]);
    expect(r.finalPassStats).toEqual({ runs: 2, failures: 0, overflows: 0 });
    await r.dispose();
  });

  it("'whisper': Whisper's cased text becomes the final, its words spread over the streaming emissions; loaded only when chosen", async () => {
    const { manifest, loader, whisper, events, listener, endpoint } = setup();
    const r = await createRecognizer({ manifest, loader, listener, endpoint, finalPass: 'transducer' });
    await r.setFinalPass('whisper');
    await r.setFinalPass('whisper');
    expect(loader.secondLoads).toEqual(['full:s0', 'whisper']); // each once
    expect(r.finalPass).toBe('whisper');
    await speakTwice(r);
    const [a, b] = finals(events);
    expect(a).toMatchObject({ text: 'Hi.', pass: 'whisper', streamText: 'hi' });
    expect(a?.words).toEqual([{ word: 'Hi.', start: 0.08, end: 0.16, approximate: true }]);
    expect(b).toMatchObject({ text: 'Yo!', pass: 'whisper', streamText: 'yo' });
    expect(whisper.crossCalls.map((c) => c.first)).toEqual([0, 48]);
    await r.dispose();
    expect(whisper.disposed).toBe(true);
    expect(loader.fullEncoders.get('s0')?.disposed).toBe(true);
  });

  it('keeps the streaming text when the second pass fails (with an error event), or hears nothing', async () => {
    const failing = setup({ full: () => fakeFullEncoder({ fail: new Error('encoder_full exploded') }) });
    const r = await createRecognizer({ ...failing, finalPass: 'transducer' });
    await speakTwice(r);
    expect(finals(failing.events).map((f) => [f.text, f.pass])).toEqual([
      ['hi', 'stream'],
      ['yo', 'stream'],
    ]);
    const errors = failing.events.filter((e) => e.type === 'error');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ code: 'internal', message: expect.stringMatching(/transducer second pass failed, the final keeps the streaming text: encoder_full exploded/) });
    expect(r.finalPassStats).toMatchObject({ runs: 2, failures: 2 });
    await r.dispose();

    // Whisper answering only punctuation (or nothing at all) leaves the line as streaming heard it
    const quiet = setup();
    const mute = fakeWhisper(whisperTokens, (first) => (first === 0 ? [2] : [4]));
    const r2 = await createRecognizer({ ...quiet, loader: withSecondPass(quiet.base, { whisper: mute }), finalPass: 'whisper' });
    await speakTwice(r2);
    expect(finals(quiet.events).map((f) => [f.text, f.pass, f.streamText])).toEqual([
      ['hi', 'stream', 'hi'],
      ['yo', 'stream', 'yo'],
    ]);
    expect(quiet.events.some((e) => e.type === 'error')).toBe(false);
    await r2.dispose();
  });

  it("keeps the streaming text when Whisper's mean token log-probability is under the manifest's minAvgLogprob", async () => {
    // the fake's picks score 5 against 0 for the other allowed ids: log(e^5 / (e^5 + 3 or 4)), about -0.03 per token
    for (const [bound, pass] of [[-0.01, 'stream'], [-0.5, 'whisper']] as const) {
      const s = setup({ minAvgLogprob: bound });
      const r = await createRecognizer({ ...s, finalPass: 'whisper' });
      await speakTwice(r);
      expect(finals(s.events).map((f) => f.pass)).toEqual([pass, pass]);
      expect(finals(s.events)[0]?.text).toBe(pass === 'stream' ? 'hi' : 'Hi.');
      await r.dispose();
    }
  });

  it('an utterance longer than maxFrames keeps its streaming text and is counted; the next one gets its second pass', async () => {
    const s = setup({ maxFrames: 100 });
    const r = await createRecognizer({ ...s, finalPass: 'transducer' });
    // "hi" at the start of 120 loud frames (after a little silence, so the endpointer's noise floor knows speech): the
    // endpoint comes at frame 160, past the 100 the encoder takes
    await r.pushFeatures([...indexedFrames(0, 8, false), ...indexedFrames(8, 120, true), ...indexedFrames(128, 92, false)]);
    await r.pushFeatures(indexedFrames(220, 30, true));
    await r.flush();
    expect(finals(s.events).map((f) => [f.text, f.pass])).toEqual([
      ['hi', 'stream'],
      ['ya', 'transducer'],
    ]);
    expect(s.loader.fullEncoders.get('s0')?.calls).toEqual([{ first: 160, last: 249, frames: 90 }]);
    expect(r.finalPassStats).toEqual({ runs: 1, failures: 0, overflows: 1 });
    await r.dispose();
  });

  it('a level switch that arrives during a second pass lands after its final; the next final uses the new level', async () => {
    const g = gate();
    const s = setup({ full: (level) => fakeFullEncoder(level.id === 's0' ? { gate: g } : {}) });
    const r = await createRecognizer({ ...s, finalPass: 'transducer' });
    const p1 = r.pushFeatures([...indexedFrames(0, 20, true), ...indexedFrames(20, 200, false)]);
    await g.reached; // the endpoint's second pass is running on the queue
    const sw = r.setLevel('s50');
    const p2 = r.pushFeatures(indexedFrames(220, 30, true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(finals(s.events)).toEqual([]);
    expect(lastPartial(s.events)).toMatchObject({ text: 'hi' }); // still shown while the second pass runs
    expect(s.loader.secondLoads).toEqual(['full:s0', 'full:s50']); // the new level's encoder is fetched meanwhile
    g.open();
    await Promise.all([p1, sw, p2]);
    await r.flush();
    expect(finals(s.events).map((f) => [f.text, f.pass, f.level])).toEqual([
      ['hey', 'transducer', 's0'],
      ['ya', 'transducer', 's50'],
    ]);
    const types = s.events.filter((e) => e.type === 'final' || e.type === 'level').map((e) => e.type);
    expect(types).toEqual(['level', 'final', 'level', 'final']);
    // the second utterance was read whole by s50's full-context encoder, frames from before the switch included
    expect(s.loader.fullEncoders.get('s50')?.calls).toEqual([{ first: 48, last: 249, frames: 202 }]);
    // streaming decoded every encoder frame, each on one level only, across the switch
    const streamed = (level: string): Set<number> =>
      new Set(s.base.joinerLog.filter((c) => c.level === level).flatMap((c) => c.rows.filter((row) => row < FULL_ROW_OFFSET)));
    const [on0, on50] = [streamed('s0'), streamed('s50')];
    expect([...on0].filter((e) => on50.has(e))).toEqual([]);
    expect([...on0, ...on50].sort((x, y) => x - y)).toEqual(Array.from({ length: Math.ceil(250 / 4) }, (_, e) => e));
    await r.dispose();
  });

  it('levels that name the same encoderFull file share one loaded encoder across switches', async () => {
    const s = setup({ sharedFull: true });
    const r = await createRecognizer({ ...s, finalPass: 'transducer' });
    await r.pushFeatures([...indexedFrames(0, 20, true), ...indexedFrames(20, 200, false)]);
    await r.setLevel('s50');
    await r.pushFeatures(indexedFrames(220, 30, true));
    await r.setLevel('s0');
    await r.flush();
    expect(finals(s.events).map((f) => [f.text, f.level])).toEqual([
      ['hey', 's0'],
      ['ya', 's0'],
    ]);
    expect(s.loader.secondLoads).toEqual(['full:s0']); // one file, one session, whichever level asked first
    await r.dispose();
  });

  it('a stop (flush) and a pass change during a second pass: each line final exactly once, the change from the next final on', async () => {
    const g = gate();
    const s = setup({ full: () => fakeFullEncoder({ gate: g }) });
    const r = await createRecognizer({ ...s, finalPass: 'transducer' });
    const p1 = r.pushFeatures([...indexedFrames(0, 20, true), ...indexedFrames(20, 200, false)]);
    await g.reached;
    const change = r.setFinalPass('whisper');
    await new Promise((resolve) => setTimeout(resolve, 5)); // Whisper loaded: the change waits on the queue
    const p2 = r.pushFeatures(indexedFrames(220, 30, true));
    const stop = r.flush();
    g.open();
    await Promise.all([p1, p2, change, stop]);
    expect(finals(s.events).map((f) => [f.text, f.pass, f.streamText])).toEqual([
      ['hey', 'transducer', 'hi'],
      ['Yo!', 'whisper', 'yo'],
    ]);
    expect(lastPartial(s.events)).toEqual({ type: 'partial', text: '' });
    // a new stream after the flush: its utterance is buffered from frame 0 again
    await r.pushFeatures([...indexedFrames(0, 20, true), ...indexedFrames(20, 80, false)]);
    expect(finals(s.events).at(-1)).toMatchObject({ text: 'Hi.', pass: 'whisper' });
    expect(s.loader.fullEncoders.get('s0')?.calls.at(-1)).toMatchObject({ first: 0 });
    await r.dispose();
  });

  it('refuses a pass the model does not offer; a level without encoderFull keeps streaming finals', async () => {
    const noWhisper = setup({ whisper: false });
    await expect(createRecognizer({ ...noWhisper, finalPass: 'whisper' })).rejects.toMatchObject({
      code: 'model-missing',
      message: expect.stringMatching(/no "whisper" second pass on level s0 \(offered: none, transducer/),
    });
    const r = await createRecognizer({ ...noWhisper, finalPass: 'transducer' });
    await expect(r.setFinalPass('whisper')).rejects.toMatchObject({ code: 'model-missing' });
    expect(r.finalPass).toBe('transducer');
    await r.dispose();

    const plain = { ...setup(), manifest: parseManifest({ ...manifestJson(), contextSize: 8 }) };
    const r2 = await createRecognizer(plain);
    await expect(r2.setFinalPass('transducer')).rejects.toThrow(/offered: none;/);
    await r2.dispose();

    const partial = setup({ fullOn: ['s0'] });
    const r3 = await createRecognizer({ ...partial, finalPass: 'transducer' });
    await r3.setLevel('s50');
    await speakTwice(r3);
    expect(finals(partial.events).map((f) => [f.text, f.pass])).toEqual([
      ['hi', 'stream'],
      ['yo', 'stream'],
    ]);
    expect(partial.events.some((e) => e.type === 'error')).toBe(false);
    await r3.dispose();
  });
});

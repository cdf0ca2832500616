import { describe, expect, it } from 'vitest';
import { fakeLoader, indexOfFrameValue, indexedFrames } from '../test-fixtures/fake-engine';
import type { ModelLoader } from './engine';
import { manifestJson } from '../test-fixtures/manifest-fixture';
import { parseManifest } from './manifest';
import { createRecognizer } from './recognizer';
import type { RecognizerEvent } from './types';

const vocab = ['<blank>', ' ', "'", ...'abcdefghijklmnopqrstuvwxyz'];
const t = (c: string): number => vocab.indexOf(c);

function setup(script: number[][]) {
  const manifest = parseManifest({ ...manifestJson(), contextSize: 8 });
  const loader = fakeLoader(script, vocab.length);
  const events: RecognizerEvent[] = [];
  return { manifest, loader, events, listener: (e: RecognizerEvent) => events.push(e) };
}
const finals = (ev: RecognizerEvent[]) => ev.flatMap((e) => (e.type === 'final' ? [e] : []));

describe('recognizer', () => {
  it('streams partials, endpoints on silence, and times words', async () => {
    // encoder frame e covers feature frames [4e, 4e+4): "hi" at frames 2-3, "yo" after the pause
    const script: number[][] = [];
    script[2] = [t('h')];
    script[3] = [t('i')];
    script[60] = [t('y'), t('o')];
    const { manifest, loader, events, listener } = setup(script);
    const r = await createRecognizer({ manifest, loader, listener, endpoint: { silenceMs: 300 } });
    expect(events.slice(0, 2).map((e) => e.type)).toEqual(['level', 'ready']);
    await r.pushFeatures(indexedFrames(0, 20, true));
    await r.pushFeatures(indexedFrames(20, 200, false)); // 2 s of digital silence
    expect(events.some((e) => e.type === 'partial' && e.text === 'hi')).toBe(true);
    expect(finals(events).map((f) => f.text)).toEqual(['hi']);
    expect(finals(events)[0]?.words).toEqual([{ word: 'hi', start: 0.08, end: 0.16 }]);
    await r.pushFeatures(indexedFrames(220, 30, true));
    await r.flush();
    expect(finals(events).map((f) => f.text)).toEqual(['hi', 'yo']);
    const m = events.flatMap((e) => (e.type === 'metrics' ? [e.metrics] : []));
    expect(m.length).toBeGreaterThan(10);
    expect(m[0]).toMatchObject({ level: 's0', backend: 'node-cpu', audioMs: 160, modelBytes: 30 });
  });

  it('switches level at a chunk boundary: replays the left context, continues the utterance, loses nothing', async () => {
    const script: number[][] = [];
    script[1] = [t('a')];
    script[9] = [t('b')]; // lies in frames that are buffered when the switch happens
    const { manifest, loader, events, listener } = setup(script);
    const r = await createRecognizer({ manifest, loader, listener });
    await r.pushFeatures(indexedFrames(0, 30, true)); // one chunk runs, 14 frames stay buffered
    expect(events.some((e) => e.type === 'partial' && e.text === 'a')).toBe(true);
    await r.setLevel('s50');
    // the utterance goes on: nothing is finalized by the switch, and the partial is not cleared
    expect(finals(events)).toEqual([]);
    expect(events.filter((e) => e.type === 'partial').at(-1)).toMatchObject({ text: 'a' });
    expect(events.find((e) => e.type === 'level' && e.level === 's50')).toMatchObject({ fromCache: false, replayFrames: 16 });
    await r.pushFeatures(indexedFrames(30, 20, true));
    await r.flush();
    expect(finals(events).map((f) => [f.text, f.level])).toEqual([['ab', 's50']]);
    // the new level's encoder started from zero state on the consumed frames [0, 16) (replayed, not decoded), then
    // decoding continued at frame 16 on the state the replay built
    const enc = loader.encoders.get('s50');
    expect(enc?.inputs.map((x) => indexOfFrameValue(x[0] ?? 0))).toEqual([0, 16, 32, 48]);
    expect(enc?.steps).toEqual([0n, 1n, 2n, 3n]);
    const rows = (level: string): number[] => [...new Set(loader.joinerLog.filter((c) => c.level === level).flatMap((c) => c.rows))];
    expect(rows('s0')).toEqual([0, 1, 2, 3]);
    expect(rows('s50')).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // the token context came along: the new level's first prediction already continues after 'a'
    expect(loader.transducers.get('s50')?.contexts[0]?.at(-1)).toBe(t('a'));
    await r.setLevel('s0');
    expect(events.filter((e) => e.type === 'level').at(-1)).toMatchObject({ level: 's0', fromCache: true, replayFrames: 0 });
    expect(loader.loads).toEqual(['s0', 's50']);
    await expect(r.setLevel('zzz')).rejects.toThrow(/s0, s50/);
    await r.dispose();
  });

  it('replays exactly the last left-context frames consumed, with the pending look-ahead, however long the stream', async () => {
    const { manifest, loader, events, listener } = setup([]);
    const r = await createRecognizer({ manifest, loader, listener });
    const frameIds = (x: Float32Array, n = 20): number[] => Array.from({ length: n }, (_, i) => indexOfFrameValue(x[i * 80] ?? 0));
    const windows = (from: number, count: number): number[][] =>
      Array.from({ length: count }, (_, c) => Array.from({ length: 20 }, (_, i) => from + 16 * c + i));
    // 150 frames: 9 chunks consume [0, 144), 6 stay buffered; the fixture's left context is 16 x 4 = 64 frames
    await r.pushFeatures(indexedFrames(0, 150, true));
    await r.setLevel('s50');
    expect(loader.encoders.get('s50')?.inputs.map((x) => frameIds(x))).toEqual(windows(80, 4));
    expect(events.filter((e) => e.type === 'level').at(-1)).toMatchObject({ level: 's50', replayFrames: 64 });
    // a long stream later the history still holds 64 frames (the ring is bounded), the newest ones
    for (let i = 150; i < 3150; i += 100) await r.pushFeatures(indexedFrames(i, 100, true));
    const s0 = loader.encoders.get('s0');
    const before = s0?.inputs.length ?? 0;
    await r.setLevel('s0');
    // 3150 frames: chunks consumed [0, 3136); replay [3072, 3136) with look-ahead [3136, 3140) from the buffer
    expect(s0?.inputs.slice(before).map((x) => frameIds(x))).toEqual(windows(3072, 4));
    expect(s0?.steps.slice(before)).toEqual([0n, 1n, 2n, 3n]); // fresh state, then carried through the replay
    expect(events.filter((e) => e.type === 'level').at(-1)).toMatchObject({ level: 's0', fromCache: true, replayFrames: 64 });
    await r.dispose();
  });

  it('decodes every encoder frame exactly once across switches back and forth, and reports no replay as a chunk', async () => {
    const { manifest, loader, events, listener } = setup([]);
    const r = await createRecognizer({ manifest, loader, listener });
    const total = 1001;
    const pushes: Promise<void>[] = [];
    let pos = 0;
    for (const [i, n] of [37, 5, 100, 16, 3, 250, 64, 1, 200, 325].entries()) {
      pushes.push(r.pushFeatures(indexedFrames(pos, n, i % 3 !== 0)));
      pos += n;
      // Switches land between pushes, as the slider and auto level do while audio keeps arriving. One that is not
      // awaited queues behind the next push (setLevel first awaits its models, then queues).
      const sw = r.setLevel(i % 2 === 0 ? 's50' : 's0');
      if (i % 3 === 2) pushes.push(sw);
      else await sw;
    }
    expect(pos).toBe(total);
    await Promise.all(pushes);
    await r.flush();
    // with an empty script every decode is one joiner call over its chunk's rows: the decoded encoder frames
    const decoded = loader.joinerLog.flatMap((c) => c.rows);
    expect(decoded).toEqual(Array.from({ length: Math.ceil(total / 4) }, (_, e) => e));
    expect(new Set(loader.joinerLog.map((c) => c.level))).toEqual(new Set(['s0', 's50']));
    // one metrics event per decoded chunk, labelled with the level that decoded it (what auto level folds in)
    const metrics = events.flatMap((e) => (e.type === 'metrics' ? [e.metrics] : []));
    expect(metrics.map((m) => [m.level, m.audioMs / 40])).toEqual(loader.joinerLog.map((c) => [c.level, c.rows.length]));
    await r.dispose();
  });

  it('a switch at the end of the stream: before flush it replays and pads on the new level, after it starts clean', async () => {
    const { manifest, loader, events, listener } = setup([]);
    const r = await createRecognizer({ manifest, loader, listener });
    // 37 frames: 2 chunks consume [0, 32), 5 stay buffered for the padded end-of-stream chunk
    await r.pushFeatures(indexedFrames(0, 37, true));
    await r.setLevel('s50');
    await r.flush();
    expect(loader.joinerLog.map((c) => [c.level, c.rows])).toEqual([
      ['s0', [0, 1, 2, 3]],
      ['s0', [4, 5, 6, 7]],
      ['s50', [8, 9]],
    ]);
    expect(events.filter((e) => e.type === 'level').at(-1)).toMatchObject({ level: 's50', replayFrames: 32 });
    // flush queued first (setLevel awaits its models before queueing): the switch meets a fresh stream, no history
    await r.pushFeatures(indexedFrames(0, 37, true));
    await Promise.all([r.setLevel('s0'), r.flush()]);
    expect(events.filter((e) => e.type === 'level').at(-1)).toMatchObject({ level: 's0', replayFrames: 0 });
    await r.pushFeatures(indexedFrames(0, 20, true));
    expect(loader.joinerLog.slice(3).map((c) => [c.level, c.rows])).toEqual([
      ['s50', [0, 1, 2, 3]],
      ['s50', [4, 5, 6, 7]],
      ['s50', [8, 9]],
      ['s0', [0, 1, 2, 3]],
    ]);
    await r.dispose();
  });

  it('v2: the new level replays from the stream position, not row 0; maxReplayFrames bounds the replay', async () => {
    const stream = { chunkMs: 160, rightContextMs: 40, leftContextMs: 640, positions: { scheme: 'wrap', table: 1500 } };
    const json = manifestJson();
    const positionLevel = (l: unknown) => {
      const o = l as { state: unknown[] };
      return { ...o, state: [...o.state, { name: 'position', shape: [1], dtype: 'int64' }] };
    };
    // leftContextMs 640 / leftContextFrames 32 = 20 ms frames: the counter advances 8 per chunk, as in a v2 export
    const manifest = parseManifest({ ...json, formatVersion: 2, stream, leftContextFrames: 32, contextSize: 8, levels: (json.levels as unknown[]).map(positionLevel) });
    const loader = fakeLoader([], vocab.length);
    const events: RecognizerEvent[] = [];
    const r = await createRecognizer({ manifest, loader, listener: (e) => events.push(e) });
    await r.pushFeatures(indexedFrames(0, 150, true)); // consumed [0, 144): replay [80, 144) = chunks 5..8
    await r.setLevel('s50');
    expect(loader.encoders.get('s50')?.positions[0]).toBe(40n); // 5 chunks x 8
    await r.flush();
    await r.pushFeatures(indexedFrames(0, 40, true)); // a new stream: consumed [0, 32), all of it replayed from 0
    await r.setLevel('s0');
    const s0 = loader.encoders.get('s0');
    expect(s0?.positions.at(-2)).toBe(0n);
    await r.dispose();

    const capped = fakeLoader([], vocab.length);
    const r2 = await createRecognizer({ manifest, loader: capped, maxReplayFrames: 20, listener: (e) => events.push(e) });
    await r2.pushFeatures(indexedFrames(0, 150, true));
    await r2.setLevel('s50');
    // 20 frames round up to 2 chunks: windows [112, 132) and [128, 148), the counter at chunk 7
    expect(capped.encoders.get('s50')?.inputs.map((x) => indexOfFrameValue(x[0] ?? 0))).toEqual([112, 128]);
    expect(capped.encoders.get('s50')?.positions[0]).toBe(56n);
    expect(events.at(-1)).toMatchObject({ type: 'level', level: 's50', replayFrames: 32 });
    await r2.dispose();
  });

  it('a switch whose replay fails leaves the old level running with nothing lost', async () => {
    const { manifest, events, listener } = setup([]);
    const base = fakeLoader([], vocab.length);
    const loader: ModelLoader = {
      backend: base.backend,
      async load(level) {
        const models = await base.load(level);
        if (level.id !== 's50') return models;
        return { ...models, encoder: { run: () => Promise.reject(new Error('encoder exploded')) } };
      },
    };
    const r = await createRecognizer({ manifest, loader, listener });
    await r.pushFeatures(indexedFrames(0, 30, true));
    await expect(r.setLevel('s50')).rejects.toThrow(/exploded/);
    expect(events.at(-1)).toMatchObject({ type: 'error' });
    expect(r.level).toBe('s0');
    await r.pushFeatures(indexedFrames(30, 20, true));
    await r.flush();
    expect(base.joinerLog.flatMap((c) => c.rows)).toEqual(Array.from({ length: 13 }, (_, e) => e));
    expect(new Set(base.joinerLog.map((c) => c.level))).toEqual(new Set(['s0']));
    await r.dispose();
  });

  it('pushAudio16k runs the front end (400-sample window, 160 hop)', async () => {
    const { manifest, loader, listener } = setup([]);
    const r = await createRecognizer({ manifest, loader, listener });
    await r.pushAudio16k(new Float32Array(160 * 19 + 400)); // exactly 20 frames -> one chunk
    expect(loader.encoders.get('s0')?.inputs).toHaveLength(1);
  });

  describe('speech onset on the first partial (audio clock)', () => {
    const partials = (ev: RecognizerEvent[]) => ev.flatMap((e) => (e.type === 'partial' && e.text !== '' ? [e] : []));

    it('marks the first non-empty partial with the first speech-like frame, and only that partial', async () => {
      const script: number[][] = [];
      script[14] = [t('h')]; // feature frames 56-59
      script[16] = [t('i')];
      const { manifest, loader, events, listener } = setup(script);
      const r = await createRecognizer({ manifest, loader, listener });
      await r.pushFeatures(indexedFrames(0, 50, false));
      await r.pushFeatures(indexedFrames(50, 40, true));
      await r.flush();
      const ps = partials(events);
      expect(ps.map((p) => p.text)).toEqual(['h', 'hi']);
      expect(ps[0]).toEqual({ type: 'partial', text: 'h', onsetFrame: 50 });
      expect(ps[1]).toEqual({ type: 'partial', text: 'hi' });
    });

    it('knows an onset that lies in the look-ahead of the chunk that emitted the text', async () => {
      const script: number[][] = [];
      script[3] = [t('a')]; // the first chunk: consumes frames 0-15, sees 16-19 as look-ahead
      const { manifest, loader, events, listener } = setup(script);
      const r = await createRecognizer({ manifest, loader, listener });
      await r.pushFeatures([...indexedFrames(0, 17, false), ...indexedFrames(17, 20, true)]);
      expect(partials(events)[0]).toMatchObject({ text: 'a', onsetFrame: 17 });
    });

    it('gives no onset when the text came before any speech (a model emitting on noise)', async () => {
      const script: number[][] = [];
      script[2] = [t('x')];
      script[20] = [t('y')];
      const { manifest, loader, events, listener } = setup(script);
      const r = await createRecognizer({ manifest, loader, listener });
      await r.pushFeatures(indexedFrames(0, 60, false));
      await r.pushFeatures(indexedFrames(60, 40, true));
      await r.flush();
      expect(partials(events).every((p) => p.onsetFrame === undefined)).toBe(true);
    });

    it('does not time a level switch as a new onset, but does time the next utterance after an endpoint', async () => {
      const script: number[][] = [];
      script[6] = [t('a')]; // frames 24-27, speech from 20
      script[10] = [t('b')]; // after the switch, same speech
      script[60] = [t('c')]; // frames 240-243, after 1 s of silence; speech again from 230
      const { manifest, loader, events, listener } = setup(script);
      const r = await createRecognizer({ manifest, loader, listener, endpoint: { silenceMs: 300 } });
      await r.pushFeatures([...indexedFrames(0, 20, false), ...indexedFrames(20, 20, true)]);
      await r.setLevel('s50');
      await r.pushFeatures(indexedFrames(40, 20, true));
      await r.pushFeatures(indexedFrames(60, 170, false));
      await r.pushFeatures(indexedFrames(230, 40, true));
      await r.flush();
      // whether a switch finalizes the line or continues it, its partials carry no new onset: the person did not
      // start speaking again
      expect(partials(events).filter((p) => p.onsetFrame !== undefined).map((p) => [p.text, p.onsetFrame])).toEqual([
        ['a', 20],
        ['c', 230],
      ]);
      expect(partials(events).some((p) => p.text.includes('b'))).toBe(true);
    });

    it('restarts frame indices with a new stream after flush', async () => {
      const script: number[][] = [];
      script[8] = [t('a')];
      const { manifest, loader, events, listener } = setup(script);
      const r = await createRecognizer({ manifest, loader, listener });
      await r.pushFeatures([...indexedFrames(0, 30, false), ...indexedFrames(30, 20, true)]);
      await r.flush();
      await r.pushFeatures([...indexedFrames(0, 10, false), ...indexedFrames(10, 40, true)]);
      await r.flush();
      expect(partials(events).map((p) => p.onsetFrame)).toEqual([30, 10]);
    });
  });
});


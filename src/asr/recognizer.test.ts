import { describe, expect, it } from 'vitest';
import { fakeLoader, indexOfFrameValue, indexedFrames } from '../test-fixtures/fake-engine';
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

  it('switches level at a chunk boundary without losing text or frames', async () => {
    const script: number[][] = [];
    script[1] = [t('a')];
    script[9] = [t('b')]; // lies in frames that are buffered when the switch happens
    const { manifest, loader, events, listener } = setup(script);
    const r = await createRecognizer({ manifest, loader, listener });
    await r.pushFeatures(indexedFrames(0, 30, true)); // one chunk runs, 14 frames stay buffered
    expect(events.some((e) => e.type === 'partial' && e.text === 'a')).toBe(true);
    await r.setLevel('s50');
    expect(finals(events)).toEqual([{ type: 'final', text: 'a', words: [{ word: 'a', start: 0.04, end: 0.08 }], level: 's0' }]);
    expect(events.find((e) => e.type === 'level' && e.level === 's50')).toMatchObject({ fromCache: false });
    await r.pushFeatures(indexedFrames(30, 20, true));
    await r.flush();
    expect(finals(events).map((f) => [f.text, f.level])).toEqual([['a', 's0'], ['b', 's50']]);
    // the new level's encoder started where the old one stopped, from zero state
    const enc = loader.encoders.get('s50');
    expect(indexOfFrameValue(enc?.inputs[0]?.[0] ?? 0)).toBe(16);
    expect(enc?.steps[0]).toBe(0n);
    await r.setLevel('s0');
    expect(events.filter((e) => e.type === 'level').at(-1)).toMatchObject({ level: 's0', fromCache: true });
    expect(loader.loads).toEqual(['s0', 's50']);
    await expect(r.setLevel('zzz')).rejects.toThrow(/s0, s50/);
    await r.dispose();
  });

  it('pushAudio16k runs the front end (400-sample window, 160 hop)', async () => {
    const { manifest, loader, listener } = setup([]);
    const r = await createRecognizer({ manifest, loader, listener });
    await r.pushAudio16k(new Float32Array(160 * 19 + 400)); // exactly 20 frames -> one chunk
    expect(loader.encoders.get('s0')?.inputs).toHaveLength(1);
  });
});

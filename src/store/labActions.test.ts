import { describe, expect, it } from 'vitest';
import type { ChunkMetrics, RecognizerEvent } from '../asr/types';
import { deferred, FakeClient, fakeManifest } from './fakeClient';
import { createRecognizerStore } from './store';

async function loaded() {
  const manifest = fakeManifest();
  // each level half the compute of the previous one
  manifest.levels.forEach((l, i) => (l.flopsPerSecond = 4e8 / 2 ** i));
  const client = new FakeClient(manifest);
  const store = createRecognizerStore(client);
  await store.getState().load('/models/manifest.json');
  client.emit({ type: 'ready', backend: 'wasm', level: 's50' });
  return { client, store };
}

const chunk = (level: string, computeMs: number): RecognizerEvent => {
  const metrics: ChunkMetrics = { level, backend: 'wasm', computeMs, audioMs: 160, rtf: 0, modelBytes: 1 };
  return { type: 'metrics', metrics };
};

describe('Compare sweep', () => {
  it('measures every level in order and summarizes each', async () => {
    const { client, store } = await loaded();
    client.measureChunkMs = { s0: 80, s50: 40, s80: 16 };
    await store.getState().measureAll();
    const c = store.getState().compare;
    expect(client.calls.filter((x) => x.startsWith('measureLevel'))).toEqual(['measureLevel s0', 'measureLevel s50', 'measureLevel s80']);
    expect(c.phase).toBe('done');
    expect(c.current).toBeNull();
    expect(c.results.map((r) => [r.level, r.p50Ms, r.rtf])).toEqual([['s0', 80, 0.5], ['s50', 40, 0.25], ['s80', 16, 0.1]]);
  });

  it('shows progress, keeps dictation off while running, and is not started while listening', async () => {
    const { client, store } = await loaded();
    const gate = deferred();
    client.measureImpl = (id) => (id === 's50' ? gate.promise : Promise.resolve());
    const run = store.getState().measureAll();
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(store.getState().compare).toMatchObject({ phase: 'running', current: 's50' });
    expect(store.getState().compare.results).toHaveLength(1);
    await store.getState().startMic();
    expect(client.calls).not.toContain('startMicrophone');
    gate.resolve();
    await run;

    await store.getState().startMic();
    expect(store.getState().status).toBe('listening');
    await store.getState().measureAll();
    expect(client.calls.filter((x) => x.startsWith('measureLevel'))).toHaveLength(3); // no second sweep
  });

  it('cancel keeps the levels measured so far and skips the rest', async () => {
    const { client, store } = await loaded();
    const gate = deferred();
    client.measureImpl = (id) => (id === 's50' ? gate.promise : Promise.resolve());
    const run = store.getState().measureAll();
    await new Promise((r) => setTimeout(r, 0));
    store.getState().cancelMeasure();
    expect(client.calls).toContain('cancelMeasure');
    gate.reject(new Error('measurement cancelled')); // what the worker answers
    await run;
    const c = store.getState().compare;
    expect(c.phase).toBe('cancelled');
    expect(c.error).toBeNull();
    expect(c.results.map((r) => r.level)).toEqual(['s0']);
    expect(client.calls).not.toContain('measureLevel s80');
  });

  it('a failing level ends the sweep with its error', async () => {
    const { client, store } = await loaded();
    client.measureImpl = async (id) => {
      if (id === 's50') throw new Error('HTTP 404');
    };
    await store.getState().measureAll();
    expect(store.getState().compare).toMatchObject({ phase: 'failed', error: 's50: HTTP 404' });
    expect(store.getState().errors).toEqual([]); // the Compare panel shows it, not the global banner
  });
});

describe('auto level', () => {
  it('starts at the densest level measured under budget', async () => {
    const { client, store } = await loaded();
    client.measureChunkMs = { s0: 144, s50: 48, s80: 16 }; // RTF 0.9, 0.3, 0.1
    await store.getState().measureAll();
    await store.getState().setLevel('s80');
    store.getState().setAuto(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(store.getState().selectedLevel).toBe('s50');
    expect(store.getState().auto.note).toBe('start at s50: RTF 0.30 measured in Compare');
  });

  it('steps down on live metrics over budget through the normal level path, keeping finals', async () => {
    const { client, store } = await loaded();
    store.getState().setAuto(true);
    expect(store.getState().auto.machine?.index).toBe(1); // no measurements: starts where it is
    client.emit({ type: 'final', text: 'kept', words: [], level: 's50' });
    for (let i = 0; i < 20; i++) client.emit(chunk('s0', 500)); // another level's chunks are ignored
    expect(client.calls.filter((c) => c.startsWith('setLevel'))).toEqual([]);
    for (let i = 0; i < 13; i++) client.emit(chunk('s50', 120)); // RTF 0.75 for 2 s
    await new Promise((r) => setTimeout(r, 0));
    expect(client.calls.filter((c) => c.startsWith('setLevel'))).toEqual(['setLevel s80']);
    const s = store.getState();
    expect(s.activeLevel).toBe('s80');
    expect(s.auto.enabled).toBe(true);
    expect(s.auto.note).toBe('s50 → s80: RTF 0.75 exceeded the budget 0.5');
    expect(s.finals.map((f) => f.text)).toEqual(['kept']);
  });

  it('a manual slider move turns auto off', async () => {
    const { store } = await loaded();
    store.getState().setAuto(true);
    await store.getState().setLevel('s0');
    expect(store.getState().auto.enabled).toBe(false);
    expect(store.getState().selectedLevel).toBe('s0');
  });
});

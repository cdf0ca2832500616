import { describe, expect, it } from 'vitest';
import { deferred, FakeClient, fakeManifest, withFinalPass } from '../store/fakeClient';
import type { OmnisparseEvent } from './events';
import { OMNISPARSE_EVENT_TYPES } from './events';
import { buildRecognizer, type CreateRecognizerOptions, type OmnisparseRecognizer } from './recognizer';

const noDefaultClient = (): never => {
  throw new Error('tests pass a client');
};
const createRecognizer = (opts: CreateRecognizerOptions) => buildRecognizer(opts, noDefaultClient);

function record(r: OmnisparseRecognizer): OmnisparseEvent[] {
  const seen: OmnisparseEvent[] = [];
  for (const type of OMNISPARSE_EVENT_TYPES) r.on(type, (detail) => seen.push({ type, detail } as OmnisparseEvent));
  return seen;
}

describe('createRecognizer', () => {
  it('loads the manifest of the models folder with the requested level and backend', async () => {
    const client = new FakeClient();
    const r = createRecognizer({ client, models: 'https://cdn.example/asr', level: 's80', backend: 'wasm' });
    await r.load();
    expect(client.calls).toEqual(['load https://cdn.example/asr/manifest.json s80 wasm']);
    expect(r.getState().selectedLevel).toBe('s80');
  });

  it('loads with the chosen second pass, and switches it later once loaded', async () => {
    const client = new FakeClient(withFinalPass(fakeManifest()));
    const r = createRecognizer({ client, finalPass: 'transducer', autoLoad: false });
    await r.setFinalPass('whisper'); // implies the load
    expect(client.calls).toEqual(['load models/manifest.json - auto transducer', 'setFinalPass whisper']);
    expect(r.getState().activeFinalPass).toBe('whisper');
  });

  it('does not load before load() when autoLoad is false, and loads once', async () => {
    const client = new FakeClient();
    const r = createRecognizer({ client, autoLoad: false });
    await Promise.resolve();
    expect(client.calls).toEqual([]);
    await Promise.all([r.load(), r.load()]);
    expect(client.calls).toEqual(['load models/manifest.json - auto']);
  });

  it('start() waits for the model instead of failing', async () => {
    const client = new FakeClient();
    const gate = deferred();
    client.impl.load = () => gate.promise;
    const r = createRecognizer({ client });
    const started = r.start();
    expect(client.calls).toEqual(['load models/manifest.json - auto']);
    gate.resolve();
    await started;
    expect(client.calls).toContain('startMicrophone');
    expect(r.getState().status).toBe('listening');
  });

  it("level 'auto' turns the auto level on once loaded; setLevel(id) turns it off", async () => {
    const r = createRecognizer({ client: new FakeClient(), level: 'auto' });
    await r.load();
    expect(r.getState().auto.enabled).toBe(true);
    await r.setLevel('s0');
    expect(r.getState().auto.enabled).toBe(false);
    expect(r.getState().activeLevel).toBe('s0');
    await r.setLevel('AUTO');
    expect(r.getState().auto.enabled).toBe(true);
  });

  it('emits public events in the order the client produced them, after the store saw them', async () => {
    const client = new FakeClient();
    const r = createRecognizer({ client, autoLoad: false });
    const seen = record(r);
    let finalsWhenHeard = -1;
    r.on('final', () => (finalsWhenHeard = r.getState().finals.length));
    client.emit({ type: 'status', status: 'loading' });
    client.emit({ type: 'level', level: 's50', loadMs: 10, fromCache: false });
    await r.load();
    client.emit({ type: 'status', status: 'idle' });
    await r.start();
    client.emit({ type: 'partial', text: 'hel' });
    client.emit({ type: 'final', text: 'hello', words: [{ word: 'hello', start: 0.1, end: 0.5 }], level: 's50' });
    client.emit({ type: 'status', status: 'stopping' });
    await r.stop();
    expect(seen.map((e) => (e.type === 'statechange' ? `state:${e.detail.state}` : e.type))).toEqual([
      'state:loading',
      'levelchange',
      'state:idle',
      'state:listening',
      'partial',
      'final',
      'state:stopping',
      'state:idle',
    ]);
    expect(seen[2]).toMatchObject({ detail: { ready: true, previous: 'loading' } });
    expect(finalsWhenHeard).toBe(1);
  });

  it("keeps going when a listener throws, and on() returns an unsubscribe", async () => {
    const client = new FakeClient();
    const r = createRecognizer({ client, autoLoad: false });
    const texts: string[] = [];
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    process.on('uncaughtException', onError);
    r.on('partial', () => {
      throw new Error('embedder bug');
    });
    const off = r.on('partial', (d) => texts.push(d.text));
    client.emit({ type: 'partial', text: 'a' });
    off();
    client.emit({ type: 'partial', text: 'b' });
    await new Promise((res) => setTimeout(res, 0));
    process.off('uncaughtException', onError);
    expect(texts).toEqual(['a']);
    expect(r.getState().partial).toBe('b');
    expect(errors).toHaveLength(2);
  });

  it('dispose() disposes the client', async () => {
    const client = new FakeClient();
    const r = createRecognizer({ client });
    await r.load();
    r.dispose();
    expect(client.disposed).toBe(true);
  });
});

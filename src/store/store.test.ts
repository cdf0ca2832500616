import { describe, expect, it } from 'vitest';
import { deferred, FakeClient, fakeManifest, withFinalPass } from './fakeClient';
import { createRecognizerStore } from './store';

async function loaded(client = new FakeClient()) {
  const store = createRecognizerStore(client);
  await store.getState().load('/models/manifest.json', { backend: 'wasm' });
  return { client, store };
}

describe('createRecognizerStore', () => {
  it('load stores the manifest, its levels and the default level', async () => {
    const { client, store } = await loaded();
    const s = store.getState();
    expect(client.calls).toEqual(['load /models/manifest.json - wasm']);
    expect(s.levels.map((l) => l.id)).toEqual(['s0', 's50', 's80']);
    expect(s.selectedLevel).toBe('s50');
    expect(s.requestedBackend).toBe('wasm');
    expect(s.errors).toEqual([]);
  });

  it('load honours a requested level that exists, and ignores one that does not', async () => {
    const a = createRecognizerStore(new FakeClient());
    await a.getState().load('/m.json', { level: 's80' });
    expect(a.getState().selectedLevel).toBe('s80');
    const b = createRecognizerStore(new FakeClient());
    await b.getState().load('/m.json', { level: 'nope' });
    expect(b.getState().selectedLevel).toBe('s50');
  });

  it('folds client events into state', async () => {
    const { client, store } = await loaded();
    client.emit({ type: 'ready', backend: 'wasm', level: 's50' });
    client.emit({ type: 'partial', text: 'he' });
    expect(store.getState().partial).toBe('he');
    client.emit({ type: 'final', text: 'hello', words: [], level: 's50' });
    expect(store.getState().finals).toHaveLength(1);
    expect(store.getState().backend).toBe('wasm');
  });

  it('partialShown ends a pending onset latency (the transcript view calls it at paint)', async () => {
    const { client, store } = await loaded();
    store.getState().partialShown(5000); // nothing pending: no change
    expect(store.getState().onsetLatency).toEqual({ pendingOnsetAt: null, ms: [] });
    client.emit({ type: 'partial', text: 'he', onsetFrame: 40, onsetAt: 4800 });
    store.getState().partialShown(5030);
    expect(store.getState().onsetLatency).toEqual({ pendingOnsetAt: null, ms: [230] });
  });

  it('toggleMic starts then stops based on status', async () => {
    const { client, store } = await loaded();
    await store.getState().toggleMic();
    expect(store.getState().status).toBe('listening');
    await store.getState().toggleMic();
    expect(store.getState().status).toBe('idle');
    expect(client.calls.slice(1)).toEqual(['startMicrophone', 'stopMicrophone']);
  });

  it('a rejected call already reported as an event is not reported twice', async () => {
    const { client, store } = await loaded();
    client.impl.startMicrophone = async () => {
      client.emit({ type: 'error', code: 'mic-denied', message: 'Permission denied' });
      throw new Error('Permission denied');
    };
    await store.getState().startMic();
    expect(store.getState().errors.map((e) => e.code)).toEqual(['mic-denied']);
  });

  it('a rejection without an event becomes an error (coded when possible)', async () => {
    const { client, store } = await loaded();
    client.impl.transcribeFile = async () => {
      throw Object.assign(new Error('cannot decode'), { code: 'decode-failed' });
    };
    await store.getState().transcribeFile(new Blob([new Uint8Array(3)]));
    expect(store.getState().errors.map((e) => [e.code, e.message])).toEqual([['decode-failed', 'cannot decode']]);
  });

  it('says what the last file gave: lines added, nothing heard, or a failure', async () => {
    const { client, store } = await loaded();
    const final = (text: string) => client.emit({ type: 'final', text, words: [], level: 's0' });
    client.impl.transcribeFile = async () => {
      final('one');
      final('two');
    };
    expect(store.getState().lastFile).toBeNull();
    await store.getState().transcribeFile(new File([new Uint8Array(3)], 'talk.wav'));
    expect(store.getState().lastFile).toEqual({ name: 'talk.wav', lines: 2, ok: true, warnings: [] });
    client.impl.transcribeFile = async () => {
      final('half');
      return { audioSeconds: 1, warnings: ['WAV data chunk cut short'] };
    };
    await store.getState().transcribeFile(new File([new Uint8Array(3)], 'cut.wav'));
    expect(store.getState().lastFile).toEqual({ name: 'cut.wav', lines: 1, ok: true, warnings: ['WAV data chunk cut short'] });
    client.impl.transcribeFile = async () => final(' '); // an endpoint on silence writes no line
    await store.getState().transcribeFile(new File([new Uint8Array(3)], 'quiet.wav'));
    expect(store.getState().lastFile).toEqual({ name: 'quiet.wav', lines: 0, ok: true, warnings: [] });
    client.impl.transcribeFile = async () => {
      throw Object.assign(new Error('cannot decode'), { code: 'decode-failed' });
    };
    await store.getState().transcribeFile(new File([new Uint8Array(3)], 'broken.mp3'));
    expect(store.getState().lastFile).toEqual({ name: 'broken.mp3', lines: 0, ok: false, warnings: [] });
  });

  it('a failed load reports model-missing and leaves the store usable', async () => {
    const client = new FakeClient();
    client.impl.load = async () => {
      throw Object.assign(new Error('404 manifest'), { code: 'model-missing' });
    };
    const store = createRecognizerStore(client);
    await store.getState().load('/missing.json');
    expect(store.getState().manifest).toBeNull();
    expect(store.getState().errors[0]!.code).toBe('model-missing');
    await store.getState().transcribeFile(new Blob([]));
    expect(client.calls.at(-1)).toBe('transcribeFile 0');
  });

  it('retryLoad repeats a failed first load with the same options, and only then', async () => {
    const client = new FakeClient();
    let failures = 1;
    client.impl.load = async () => {
      if (failures-- > 0) throw Object.assign(new Error('cannot fetch x: HTTP 404'), { code: 'model-missing' });
    };
    const store = createRecognizerStore(client);
    await store.getState().load('/models/manifest.json', { level: 's80', backend: 'wasm' });
    expect(store.getState().errors.map((e) => e.code)).toEqual(['model-missing']);
    await store.getState().retryLoad();
    expect(client.calls).toEqual(['load /models/manifest.json s80 wasm', 'load /models/manifest.json s80 wasm']);
    expect(store.getState().manifest).not.toBeNull();
    expect(store.getState().selectedLevel).toBe('s80');
    expect(store.getState().errors).toEqual([]); // the failed attempt's banner is gone
    await store.getState().retryLoad(); // loaded: nothing to retry
    expect(client.calls).toHaveLength(2);
  });

  it('dismissError removes only that error', async () => {
    const { client, store } = await loaded();
    client.emit({ type: 'error', code: 'mic-denied', message: 'a' });
    client.emit({ type: 'error', code: 'internal', message: 'b' });
    const first = store.getState().errors[0]!;
    store.getState().dismissError(first.id);
    expect(store.getState().errors.map((e) => e.code)).toEqual(['internal']);
  });

  it('clearTranscript empties finals and partial', async () => {
    const { client, store } = await loaded();
    client.emit({ type: 'final', text: 'a', words: [], level: 's50' });
    client.emit({ type: 'partial', text: 'b' });
    store.getState().clearTranscript();
    expect(store.getState().finals).toEqual([]);
    expect(store.getState().partial).toBe('');
  });

  it('setLevel moves the selection at once and ignores unknown ids', async () => {
    const { client, store } = await loaded();
    await store.getState().setLevel('zzz');
    expect(client.calls).not.toContain('setLevel zzz');
    await store.getState().setLevel('s80');
    expect(store.getState().selectedLevel).toBe('s80');
    expect(store.getState().activeLevel).toBe('s80');
  });

  it('setLevel while a switch is loading only keeps the latest request', async () => {
    const { client, store } = await loaded();
    const gate = deferred();
    client.impl.setLevel = () => gate.promise;
    const p1 = store.getState().setLevel('s0');
    const p2 = store.getState().setLevel('s50');
    const p3 = store.getState().setLevel('s80');
    expect(store.getState().selectedLevel).toBe('s80');
    gate.resolve();
    await Promise.all([p1, p2, p3]);
    expect(client.calls.filter((c) => c.startsWith('setLevel'))).toEqual(['setLevel s0', 'setLevel s80']);
    expect(store.getState().activeLevel).toBe('s80');
  });

  it('a failed level switch snaps the selection back to the running level and keeps finals', async () => {
    const { client, store } = await loaded();
    client.emit({ type: 'ready', backend: 'wasm', level: 's50' });
    client.emit({ type: 'final', text: 'kept', words: [], level: 's50' });
    client.impl.setLevel = async () => {
      throw Object.assign(new Error('bad file'), { code: 'model-corrupt' });
    };
    await store.getState().setLevel('s80');
    const s = store.getState();
    expect(s.selectedLevel).toBe('s50');
    expect(s.errors.map((e) => e.code)).toEqual(['model-corrupt']);
    expect(s.finals.map((f) => f.text)).toEqual(['kept']);
  });

  it('dispose unsubscribes and disposes the client once', async () => {
    const { client, store } = await loaded();
    expect(client.listenerCount).toBe(1);
    store.getState().dispose();
    store.getState().dispose();
    expect(client.listenerCount).toBe(0);
    expect(client.calls.filter((c) => c === 'dispose')).toHaveLength(1);
  });

  describe('second pass', () => {
    const offering = () => new FakeClient(withFinalPass(fakeManifest(), { levels: ['s0', 's50'] }));

    it('an explicit pass goes to the client with the load and is active once loaded', async () => {
      const client = offering();
      const store = createRecognizerStore(client);
      await store.getState().load('/m.json', { finalPass: 'whisper' });
      expect(client.calls).toEqual(['load /m.json - auto whisper']);
      expect(store.getState()).toMatchObject({ finalPass: 'whisper', activeFinalPass: 'whisper' });
    });

    it('an explicit pass the worker could not load (error event during the load) leaves none active', async () => {
      const client = offering();
      client.impl.load = async () => client.emit({ type: 'error', code: 'model-missing', message: 'no whisper/decoder.onnx' });
      const store = createRecognizerStore(client);
      await store.getState().load('/m.json', { finalPass: 'whisper' });
      expect(store.getState()).toMatchObject({ finalPass: 'none', activeFinalPass: 'none' });
      expect(store.getState().errors.map((e) => e.code)).toEqual(['model-missing']);
      const other = createRecognizerStore(new FakeClient());
      await other.getState().load('/m.json', { finalPass: 'transducer' }); // not offered at all
      expect(other.getState().activeFinalPass).toBe('none');
    });

    it('a preference is applied after the load where offered, and silently dropped where not', async () => {
      const client = offering();
      const store = createRecognizerStore(client);
      await store.getState().load('/m.json', { preferredFinalPass: 'whisper' });
      await Promise.resolve();
      expect(client.calls).toEqual(['load /m.json - auto', 'setFinalPass whisper']);
      await expect.poll(() => store.getState().activeFinalPass).toBe('whisper');

      const plain = new FakeClient();
      const other = createRecognizerStore(plain);
      await other.getState().load('/m.json', { preferredFinalPass: 'whisper' });
      expect(plain.calls).toEqual(['load /m.json - auto']);
      expect(other.getState()).toMatchObject({ finalPass: 'none', activeFinalPass: 'none', errors: [] });
    });

    it('setFinalPass moves the selection at once and the active pass once loaded; ignores what the level lacks', async () => {
      const client = offering();
      const store = createRecognizerStore(client);
      await store.getState().load('/m.json', { level: 's0' });
      const gate = deferred();
      client.impl.setFinalPass = () => gate.promise;
      const p = store.getState().setFinalPass('transducer');
      expect(store.getState()).toMatchObject({ finalPass: 'transducer', activeFinalPass: 'none' });
      gate.resolve();
      await p;
      expect(store.getState().activeFinalPass).toBe('transducer');
      await store.getState().setLevel('s80'); // no encoderFull there
      await store.getState().setFinalPass('whisper');
      expect(client.calls.filter((c) => c.startsWith('setFinalPass'))).toEqual(['setFinalPass transducer']);
    });

    it('serializes changes: while one loads only the latest request is sent next', async () => {
      const client = offering();
      const store = createRecognizerStore(client);
      await store.getState().load('/m.json');
      const gate = deferred();
      client.impl.setFinalPass = () => gate.promise;
      const a = store.getState().setFinalPass('whisper');
      const b = store.getState().setFinalPass('transducer');
      const c = store.getState().setFinalPass('none');
      expect(store.getState().finalPass).toBe('none');
      gate.resolve();
      await Promise.all([a, b, c]);
      expect(client.calls.filter((x) => x.startsWith('setFinalPass'))).toEqual(['setFinalPass whisper', 'setFinalPass none']);
      expect(store.getState()).toMatchObject({ finalPass: 'none', activeFinalPass: 'none' });
    });

    it('a pass that fails to load snaps the selection back to the active one', async () => {
      const client = offering();
      const store = createRecognizerStore(client);
      await store.getState().load('/m.json', { finalPass: 'transducer' });
      client.impl.setFinalPass = async () => {
        throw Object.assign(new Error('bad decoder'), { code: 'model-corrupt' });
      };
      await store.getState().setFinalPass('whisper');
      expect(store.getState()).toMatchObject({ finalPass: 'transducer', activeFinalPass: 'transducer' });
      expect(store.getState().errors.map((e) => e.code)).toEqual(['model-corrupt']);
    });
  });
});

/// <reference lib="dom" />
/// <reference types="vite/client" />
// (capture.ts is browser code: the DOM and Vite's `?worker&url` types are needed to typecheck what it imports.)
// The microphone's start-up order, with the Web Audio and media APIs replaced by fakes the test drives by hand: the
// device captures from the moment getUserMedia resolves, so anything that still has to load after that moment cuts
// the start of what was said.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FrontendSpec } from '../asr/types';
import { prepareCapture, startMicrophone } from './capture';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const spec = JSON.parse(readFileSync(fileURLToPath(new URL('../../models/frontend-whisper.json', import.meta.url)), 'utf8')) as FrontendSpec;

let log: string[];
let modules: Deferred<void>[];
let gum: Deferred<MediaStream>[];

class FakeContext {
  state: 'suspended' | 'running' | 'closed' = 'suspended';
  readonly sampleRate = 48000;
  readonly audioWorklet = {
    addModule: (): Promise<void> => {
      log.push('addModule');
      const d = deferred<void>();
      modules.push(d);
      return d.promise;
    },
  };
  resume(): Promise<void> {
    log.push('resume');
    this.state = 'running';
    return Promise.resolve();
  }
  suspend(): Promise<void> {
    log.push('suspend');
    this.state = 'suspended';
    return Promise.resolve();
  }
  close(): Promise<void> {
    log.push('close');
    this.state = 'closed';
    return Promise.resolve();
  }
  createMediaStreamSource() {
    return { connect: () => log.push('connect'), disconnect: () => log.push('disconnect') };
  }
}

class FakeNode {
  readonly port = {
    onmessage: null as ((e: { data: unknown }) => void) | null,
    // the worklet answers a flush with what it holds (nothing here)
    postMessage: () => queueMicrotask(() => this.port.onmessage?.({ data: { flushed: new Float32Array(0) } })),
  };
  disconnect(): void {}
}

function fakeStream(): MediaStream {
  const track = { label: 'fake', stop: () => log.push('track.stop'), addEventListener() {}, removeEventListener() {} };
  return { getTracks: () => [track], getAudioTracks: () => [track] } as unknown as MediaStream;
}

/** Lets every pending promise callback run (no timers involved). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

beforeEach(() => {
  log = [];
  modules = [];
  gum = [];
  vi.stubGlobal('AudioContext', FakeContext);
  vi.stubGlobal('AudioWorkletNode', FakeNode);
  vi.stubGlobal('navigator', {
    mediaDevices: {
      getUserMedia: () => {
        log.push('getUserMedia');
        const d = deferred<MediaStream>();
        gum.push(d);
        return d.promise;
      },
    },
  });
});
afterEach(() => vi.unstubAllGlobals());

describe('startMicrophone', () => {
  it('with the worklet prepared ahead, connects the microphone as soon as the permission is granted', async () => {
    const rig = prepareCapture()!;
    modules[0]!.resolve(); // loaded while the model was loading
    const started = startMicrophone(rig, spec, () => {});
    await settle();
    expect(log).toEqual(['addModule', 'resume', 'getUserMedia']);
    gum[0]!.resolve(fakeStream());
    await settle();
    // nothing else was awaited between the device opening and the connection
    expect(log.slice(3)).toEqual(['connect']);
    const mic = await started;
    await mic.stop();
    // kept for the next dictation: suspended, not closed
    expect(log.slice(-2)).toEqual(['track.stop', 'suspend']);
    expect(rig.ctx.state).toBe('suspended');

    // ...and the next dictation uses the same context and worklet
    const again = startMicrophone(rig, spec, () => {});
    await settle();
    gum[1]!.resolve(fakeStream());
    await (await again).stop();
    expect(log.filter((l) => l === 'addModule')).toHaveLength(1);
    expect(log).not.toContain('close');
    await rig.close();
    expect(rig.ctx.state).toBe('closed');
  });

  it('a worklet still loading when the permission is granted: it loads while the permission is asked for, and connects once loaded', async () => {
    const rig = prepareCapture()!; // the click came before the worklet was in
    const started = startMicrophone(rig, spec, () => {});
    await settle();
    // the module is on its way before the device opens
    expect(log).toEqual(['addModule', 'resume', 'getUserMedia']);
    gum[0]!.resolve(fakeStream());
    await settle();
    expect(log).not.toContain('connect'); // the module is still loading: the gap that preparing at load() avoids
    modules[0]!.resolve();
    const mic = await started;
    expect(log.at(-1)).toBe('connect');
    await mic.stop();
    expect(log.at(-1)).toBe('suspend');
  });

  it('a denied permission keeps a prepared rig usable', async () => {
    const rig = prepareCapture()!;
    modules[0]!.resolve();
    const started = startMicrophone(rig, spec, () => {});
    await settle();
    gum[0]!.reject(new DOMException('denied', 'NotAllowedError'));
    await expect(started).rejects.toMatchObject({ code: 'mic-denied' });
    expect(rig.ctx.state).toBe('suspended');
  });

  it('a worklet that fails to load is reported as such and releases the device', async () => {
    const rig = prepareCapture()!;
    modules[0]!.reject(new Error('404'));
    const started = startMicrophone(rig, spec, () => {});
    await settle();
    gum[0]!.resolve(fakeStream());
    await expect(started).rejects.toMatchObject({ code: 'no-audioworklet' });
    expect(log).toContain('track.stop');
    expect(log).not.toContain('connect');
  });

  it('a context the browser will not start is reported and releases the device', async () => {
    const rig = prepareCapture()!;
    modules[0]!.resolve();
    rig.ctx.resume = () => Promise.reject(new DOMException('not allowed', 'NotAllowedError'));
    const started = startMicrophone(rig, spec, () => {});
    await settle();
    gum[0]!.resolve(fakeStream());
    await expect(started).rejects.toMatchObject({ code: 'mic-missing' });
    expect(log).toContain('track.stop');
    expect(log).toContain('disconnect');
  });

  it('prepareCapture gives nothing where the browser has no AudioWorklet', () => {
    vi.stubGlobal('AudioWorkletNode', undefined);
    expect(prepareCapture()).toBeNull();
  });
});

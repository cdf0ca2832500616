// RecognizerClient (types.ts): the main-thread handle used by the UI and the widget. Owns the inference Worker and
// the audio sources; every failure is both a rejected promise and an 'error' event.

import { decodeFile, featuresFromDecoded, startMicrophone, type MicCapture } from '../audio/capture';
import { packFrames } from '../audio/pipeline';
import { RecognizerError, toRecognizerError } from './errors';
import type { LevelMeasurement, LevelMeasurer } from './measure';
import type { FromWorker, ToWorker, WithoutId } from './messages';
import type { BackendChoice, Manifest, RecognizerClient, RecognizerEvent, RecognizerStatus } from './types';

export interface ClientOptions {
  /** for tests: a custom worker factory */
  createWorker?: () => Worker;
}

const defaultWorker = (): Worker => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });

export function createRecognizerClient(opts: ClientOptions = {}): RecognizerClient & LevelMeasurer {
  const listeners = new Set<(e: RecognizerEvent) => void>();
  const pending = new Map<number, { resolve: (v: FromWorker) => void; reject: (e: RecognizerError) => void }>();
  let worker: Worker | null = null;
  let manifest: Manifest | null = null;
  let mic: MicCapture | null = null;
  let nextId = 1;

  const emit = (e: RecognizerEvent): void => listeners.forEach((l) => l(e));
  const setStatus = (status: RecognizerStatus): void => emit({ type: 'status', status });
  const fail = (err: unknown): never => {
    const e = toRecognizerError(err);
    emit({ type: 'error', code: e.code, message: e.message });
    throw e;
  };

  function onMessage(e: MessageEvent<FromWorker>): void {
    const m = e.data;
    if (m.type === 'event') return emit(m.event);
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.type === 'failed') p.reject(new RecognizerError(m.code, m.message));
    else p.resolve(m);
  }

  function request(msg: WithoutId<ToWorker>, transfer: Transferable[] = []): Promise<FromWorker> {
    if (!worker) return Promise.reject(new RecognizerError('internal', 'call load() first'));
    const id = nextId++;
    const w = worker;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      w.postMessage({ ...msg, id } as ToWorker, transfer);
    });
  }

  function sendFrames(frames: Float32Array[]): Promise<FromWorker> {
    const dim = manifest?.featureDim ?? 80;
    const packed = packFrames(frames, dim);
    return request({ type: 'features', frames: packed, count: frames.length }, [packed.buffer]);
  }

  const client: RecognizerClient & LevelMeasurer = {
    get manifest() {
      return manifest;
    },

    async load(manifestUrl: string, o: { level?: string; backend?: BackendChoice } = {}): Promise<Manifest> {
      try {
        if (typeof WebAssembly === 'undefined') throw new RecognizerError('no-wasm', 'this browser has no WebAssembly');
        setStatus('loading');
        worker?.terminate();
        worker = (opts.createWorker ?? defaultWorker)();
        worker.onmessage = onMessage;
        worker.onerror = (ev) => emit({ type: 'error', code: 'internal', message: `worker: ${ev.message}` });
        const absolute = new URL(manifestUrl, globalThis.location?.href).href;
        const init: WithoutId<ToWorker> = { type: 'init', manifestUrl: absolute, backend: o.backend ?? 'auto' };
        if (o.level !== undefined) Object.assign(init, { level: o.level });
        const reply = await request(init);
        if (reply.type !== 'inited') throw new RecognizerError('internal', 'unexpected worker reply');
        manifest = reply.manifest;
        setStatus('idle');
        return manifest;
      } catch (err) {
        setStatus('idle');
        return fail(err);
      }
    },

    async startMicrophone(): Promise<void> {
      try {
        if (!manifest) throw new RecognizerError('internal', 'call load() first');
        if (mic) return;
        mic = await startMicrophone(manifest.frontend, (frames) => {
          sendFrames(frames).catch(() => {}); // failures also arrive as 'error' events from the worker
        });
        setStatus('listening');
      } catch (err) {
        return fail(err);
      }
    },

    async stopMicrophone(): Promise<void> {
      if (!mic) return;
      try {
        setStatus('stopping');
        const tail = await mic.stop();
        mic = null;
        if (tail.length > 0) await sendFrames(tail);
        await request({ type: 'flush' });
        setStatus('idle');
      } catch (err) {
        setStatus('idle');
        return fail(err);
      }
    },

    async transcribeFile(file: Blob): Promise<void> {
      try {
        if (!manifest) throw new RecognizerError('internal', 'call load() first');
        const spec = manifest.frontend;
        setStatus('file');
        const audio = await decodeFile(file, spec.sampleRate);
        const sends: Promise<FromWorker>[] = [];
        await featuresFromDecoded(audio, spec, (frames) => sends.push(sendFrames(frames)));
        await Promise.all(sends);
        await request({ type: 'flush' });
        setStatus('idle');
      } catch (err) {
        setStatus('idle');
        return fail(err);
      }
    },

    async setLevel(id: string): Promise<void> {
      try {
        await request({ type: 'set-level', level: id });
      } catch (err) {
        return fail(err);
      }
    },

    // Not reported as 'error' events: the Compare view shows its own failures, and a cancel is not an error.
    async measureLevel(id: string): Promise<LevelMeasurement> {
      const reply = await request({ type: 'measure', level: id });
      if (reply.type !== 'measured') throw new RecognizerError('internal', 'unexpected worker reply');
      return reply.result;
    },

    cancelMeasure(): void {
      if (worker) void request({ type: 'measure-cancel' }).catch(() => {});
    },

    on(listener: (e: RecognizerEvent) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    dispose(): void {
      void mic?.stop();
      mic = null;
      worker?.terminate();
      worker = null;
      for (const p of pending.values()) p.reject(new RecognizerError('internal', 'client disposed'));
      pending.clear();
      listeners.clear();
    },
  };
  return client;
}

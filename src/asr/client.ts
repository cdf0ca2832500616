// RecognizerClient (types.ts): the main-thread handle used by the UI and the widget. Owns the inference Worker and
// the audio sources; every failure is both a rejected promise and an 'error' event.

import { decodeFile, featuresFromDecoded, prepareCapture, startMicrophone, type CaptureRig, type MicCapture } from '../audio/capture';
import { featuresFromWavStream, isWav } from '../audio/file-stream';
import { packFrames } from '../audio/pipeline';
import { NO_AUDIO_MESSAGE, RecognizerError, toRecognizerError } from './errors';
import type { LevelMeasurement, LevelMeasurer } from './measure';
import type { FromWorker, ToWorker, WasmPaths, WithoutId } from './messages';
import { CaptureClock, frameTimingOf } from './onset-latency';
import type {
  BackendChoice,
  FileReport,
  FinalPassKind,
  FinalPassSetter,
  Manifest,
  RecognizerClient,
  RecognizerEvent,
  RecognizerStatus,
} from './types';
import { absoluteUrl, workerSource } from './worker-url';
// `?worker&url` (not `new Worker(new URL(...))`): the URL itself is needed to decide between a direct start and the
// cross-origin shim, and Vite emits the worker as its own file either way (also in the library build).
import workerUrl from './worker.ts?worker&url';

/** WAV pieces (1 s of audio each) sent to the worker before the reader waits for the oldest. */
const FILE_PIECES_IN_FLIGHT = 4;

export interface ClientOptions {
  /** for tests: a custom worker factory */
  createWorker?: () => Worker;
  /** onnxruntime-web's runtime files (relative URLs resolve against the page); see messages.ts */
  wasmPaths?: WasmPaths;
}

function defaultWorker(): Worker {
  const src = workerSource(workerUrl, globalThis.location?.href);
  if (src.kind === 'url') return new Worker(src.url, { type: 'module' });
  const shim = URL.createObjectURL(new Blob([src.code], { type: 'text/javascript' }));
  const worker = new Worker(shim, { type: 'module' });
  // The worker has fetched the shim once it speaks; revoking earlier could race that fetch.
  worker.addEventListener('message', () => URL.revokeObjectURL(shim), { once: true });
  return worker;
}

export function createRecognizerClient(opts: ClientOptions = {}): RecognizerClient & LevelMeasurer & FinalPassSetter {
  const listeners = new Set<(e: RecognizerEvent) => void>();
  const pending = new Map<number, { resolve: (v: FromWorker) => void; reject: (e: RecognizerError) => void }>();
  let worker: Worker | null = null;
  let manifest: Manifest | null = null;
  let mic: MicCapture | null = null;
  /** the audio context and worklet, prepared at load() so that dictation starts hearing at once (capture.ts) */
  let rig: CaptureRig | null = null;
  /** when the current microphone stream's frames were captured; null for files, which have no capture time */
  let capture: CaptureClock | null = null;
  let nextId = 1;

  const emit = (e: RecognizerEvent): void => listeners.forEach((l) => l(e));
  const setStatus = (status: RecognizerStatus): void => emit({ type: 'status', status });
  const fail = (err: unknown): never => {
    const e = toRecognizerError(err);
    emit({ type: 'error', code: e.code, message: e.message });
    throw e;
  };

  /** Puts a first partial's speech onset (a frame index in the worker's stream) on this page's clock. */
  function withOnsetTime(ev: RecognizerEvent): RecognizerEvent {
    if (ev.type !== 'partial' || ev.onsetFrame === undefined || !capture) return ev;
    const onsetAt = capture.captureTimeOf(ev.onsetFrame);
    return onsetAt === null ? ev : { ...ev, onsetAt };
  }

  function onMessage(e: MessageEvent<FromWorker>): void {
    const m = e.data;
    if (m.type === 'event') return emit(withOnsetTime(m.event));
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

  const client: RecognizerClient & LevelMeasurer & FinalPassSetter = {
    get manifest() {
      return manifest;
    },

    async load(manifestUrl: string, o: { level?: string; backend?: BackendChoice; finalPass?: FinalPassKind } = {}): Promise<Manifest> {
      try {
        if (typeof WebAssembly === 'undefined') throw new RecognizerError('no-wasm', 'this browser has no WebAssembly');
        setStatus('loading');
        rig ??= prepareCapture();
        worker?.terminate();
        worker = (opts.createWorker ?? defaultWorker)();
        worker.onmessage = onMessage;
        worker.onerror = (ev) => emit({ type: 'error', code: 'internal', message: `worker: ${ev.message}` });
        const page = globalThis.location?.href;
        const init: WithoutId<ToWorker> = { type: 'init', manifestUrl: absoluteUrl(manifestUrl, page), backend: o.backend ?? 'auto' };
        if (o.level !== undefined) Object.assign(init, { level: o.level });
        if (o.finalPass !== undefined) Object.assign(init, { finalPass: o.finalPass });
        if (opts.wasmPaths) {
          Object.assign(init, { wasmPaths: { mjs: absoluteUrl(opts.wasmPaths.mjs, page), wasm: absoluteUrl(opts.wasmPaths.wasm, page) } });
        }
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
        // The worker's stream starts at frame 0 here (the previous stream, mic or file, ended with a flush), and so
        // does this clock: frame indices from the worker map onto it directly.
        // load() prepared it; made again here after a worklet that failed to load
        rig ??= prepareCapture();
        if (!rig) throw new RecognizerError('no-audioworklet', 'this browser has no AudioWorklet');
        const clock = new CaptureClock(frameTimingOf(manifest.frontend));
        capture = clock;
        mic = await startMicrophone(
          rig,
          manifest.frontend,
          (frames) => {
            clock.mark(frames.length, performance.now());
            sendFrames(frames).catch(() => {}); // failures also arrive as 'error' events from the worker
          },
          (reason) => {
            // Said first, so the user learns why listening stopped; then a normal stop, which finalizes what was
            // heard up to the loss (the flush gives up on a dead graph after FLUSH_TIMEOUT_MS).
            emit({ type: 'error', code: 'mic-lost', message: reason });
            client.stopMicrophone().catch(() => {});
          },
        );
        setStatus('listening');
      } catch (err) {
        capture = null;
        // A worklet that failed to load stays failed in its context: the next try gets a fresh one.
        if (err instanceof RecognizerError && err.code === 'no-audioworklet') {
          void rig?.close();
          rig = null;
        }
        return fail(err);
      }
    },

    async stopMicrophone(): Promise<void> {
      if (!mic) return;
      try {
        setStatus('stopping');
        const tail = await mic.stop();
        mic = null;
        capture?.mark(tail.length, performance.now());
        if (tail.length > 0) await sendFrames(tail);
        await request({ type: 'flush' });
        setStatus('idle');
      } catch (err) {
        setStatus('idle');
        return fail(err);
      }
    },

    async transcribeFile(file: Blob): Promise<FileReport> {
      try {
        if (!manifest) throw new RecognizerError('internal', 'call load() first');
        const spec = manifest.frontend;
        capture = null;
        setStatus('file');
        let report: FileReport;
        if (isWav(new Uint8Array(await file.slice(0, 12).arrayBuffer()))) {
          // A few pieces in flight keep the worker busy; more would queue the whole file's features in its inbox.
          const inFlight: Promise<FromWorker>[] = [];
          const streamed = await featuresFromWavStream(file.stream(), spec, async (frames) => {
            inFlight.push(sendFrames(frames));
            if (inFlight.length > FILE_PIECES_IN_FLIGHT) await inFlight.shift();
          });
          await Promise.all(inFlight);
          report = { audioSeconds: streamed.sampleRate > 0 ? streamed.samples / streamed.sampleRate : 0, warnings: streamed.warnings };
        } else {
          const audio = await decodeFile(file, spec.sampleRate);
          const sends: Promise<FromWorker>[] = [];
          await featuresFromDecoded(audio, spec, (frames) => sends.push(sendFrames(frames)));
          await Promise.all(sends);
          report = { audioSeconds: (audio.channels[0]?.length ?? 0) / audio.sampleRate, warnings: [] };
        }
        await request({ type: 'flush' });
        // A well-formed file with no samples decodes without complaint; an empty transcript must not pass for one.
        if (report.audioSeconds === 0) throw new RecognizerError('decode-failed', NO_AUDIO_MESSAGE);
        setStatus('idle');
        return report;
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

    async setFinalPass(pass: FinalPassKind): Promise<void> {
      try {
        await request({ type: 'set-final-pass', finalPass: pass });
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
      const stopping = mic?.stop();
      mic = null;
      // After the microphone's own stop (which suspends the context it shares), so the two never race.
      const closing = rig;
      rig = null;
      void Promise.resolve(stopping)
        .catch(() => {})
        .then(() => closing?.close());
      worker?.terminate();
      worker = null;
      for (const p of pending.values()) p.reject(new RecognizerError('internal', 'client disposed'));
      pending.clear();
      listeners.clear();
    },
  };
  return client;
}

// The inference Worker: owns onnxruntime-web and the Recognizer; receives feature frames, posts events back.

import { createWebLoader } from './backend';
import { toRecognizerError } from './errors';
import { loadManifest } from './manifest';
import type { FromWorker, ToWorker } from './messages';
import { createRecognizer, type Recognizer } from './recognizer';
import { DEFAULT_WARMUP_CHUNKS, measureStreaming, testFeatures, type LevelMeasurement } from './measure';
import type { ModelLoader } from './engine';
import { findLevel } from './manifest';
import { unpackFrames } from '../audio/pipeline';

interface WorkerScope {
  postMessage(msg: FromWorker): void;
  addEventListener(type: 'message', cb: (e: MessageEvent<ToWorker>) => void): void;
  close(): void;
}
const scope = self as unknown as WorkerScope;
const post = (m: FromWorker): void => scope.postMessage(m);

let recognizer: Recognizer | null = null;
let loader: ModelLoader | null = null;
/** the Compare view's test features, computed once per worker */
let measureFrames: Float32Array[] | null = null;
let measureCancelled = false;
// Requests are handled strictly in order; the recognizer serializes its own work too.
let chain: Promise<void> = Promise.resolve();

function need(): Recognizer {
  if (!recognizer) throw new Error('worker not initialised');
  return recognizer;
}

/** Loads a private copy of the level (a cold load: its time is what a user's first switch costs), then times it. */
async function measure(levelId: string): Promise<LevelMeasurement> {
  const r = need();
  if (!loader) throw new Error('worker not initialised');
  const level = findLevel(r.manifest, levelId);
  measureFrames ??= testFeatures(r.manifest.frontend);
  const t0 = performance.now();
  const models = await loader.load(level);
  const loadMs = performance.now() - t0;
  try {
    const timing = await measureStreaming(models, r.manifest, measureFrames, {
      warmupChunks: DEFAULT_WARMUP_CHUNKS,
      now: () => performance.now(),
      cancelled: () => measureCancelled,
    });
    return { level: levelId, backend: loader.backend, loadMs, warmupChunks: DEFAULT_WARMUP_CHUNKS, ...timing };
  } finally {
    await models.dispose();
  }
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'init': {
      const manifest = await loadManifest(msg.manifestUrl);
      const webLoader = await createWebLoader(manifest, msg.manifestUrl, msg.backend, msg.wasmPaths);
      loader = webLoader;
      await recognizer?.dispose();
      recognizer = await createRecognizer({
        manifest,
        loader: webLoader,
        level: msg.level ?? manifest.defaultLevel,
        listener: (event) => post({ type: 'event', event }),
      });
      if (msg.finalPass && msg.finalPass !== 'none') {
        // After the streaming models, and not fatal: streaming finals are still finals.
        await recognizer.setFinalPass(msg.finalPass).catch((err: unknown) => {
          const e = toRecognizerError(err);
          post({ type: 'event', event: { type: 'error', code: e.code, message: e.message } });
        });
      }
      post({ type: 'inited', id: msg.id, manifest, backend: webLoader.backend });
      return;
    }
    case 'measure':
      post({ type: 'measured', id: msg.id, result: await measure(msg.level) });
      return;
    case 'measure-cancel':
      measureCancelled = true;
      break;
    case 'features':
      await need().pushFeatures(unpackFrames(msg.frames, need().manifest.featureDim).slice(0, msg.count));
      break;
    case 'flush':
      await need().flush();
      break;
    case 'set-level':
      await need().setLevel(msg.level);
      break;
    case 'set-final-pass':
      await need().setFinalPass(msg.finalPass);
      break;
    case 'dispose':
      await recognizer?.dispose();
      recognizer = null;
      post({ type: 'done', id: msg.id });
      scope.close();
      return;
  }
  post({ type: 'done', id: msg.id });
}

scope.addEventListener('message', (e) => {
  const msg = e.data;
  // setLevel and setFinalPass load models first; running them outside the chain lets audio keep flowing meanwhile (the
  // recognizer queues the switch itself). A cancel must
  // overtake the queued work it cancels; a new measure request re-arms on arrival so an older cancel cannot hit it.
  if (msg.type === 'measure') measureCancelled = false;
  const run = (): Promise<void> =>
    handle(msg).catch((err: unknown) => {
      const r = toRecognizerError(err);
      post({ type: 'failed', id: msg.id, code: r.code, message: r.message });
    });
  if (msg.type === 'set-level' || msg.type === 'set-final-pass' || msg.type === 'measure-cancel') void run();
  else chain = chain.then(run);
});

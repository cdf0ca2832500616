// The inference Worker: owns onnxruntime-web and the Recognizer; receives feature frames, posts events back.

import { createWebLoader } from './backend';
import { toRecognizerError } from './errors';
import { loadManifest } from './manifest';
import type { FromWorker, ToWorker } from './messages';
import { createRecognizer, type Recognizer } from './recognizer';
import { unpackFrames } from '../audio/pipeline';

interface WorkerScope {
  postMessage(msg: FromWorker): void;
  addEventListener(type: 'message', cb: (e: MessageEvent<ToWorker>) => void): void;
  close(): void;
}
const scope = self as unknown as WorkerScope;
const post = (m: FromWorker): void => scope.postMessage(m);

let recognizer: Recognizer | null = null;
// Requests are handled strictly in order; the recognizer serializes its own work too.
let chain: Promise<void> = Promise.resolve();

function need(): Recognizer {
  if (!recognizer) throw new Error('worker not initialised');
  return recognizer;
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'init': {
      const manifest = await loadManifest(msg.manifestUrl);
      const loader = await createWebLoader(manifest, msg.manifestUrl, msg.backend);
      await recognizer?.dispose();
      recognizer = await createRecognizer({
        manifest,
        loader,
        level: msg.level ?? manifest.defaultLevel,
        listener: (event) => post({ type: 'event', event }),
      });
      post({ type: 'inited', id: msg.id, manifest, backend: loader.backend });
      return;
    }
    case 'features':
      await need().pushFeatures(unpackFrames(msg.frames, need().manifest.featureDim).slice(0, msg.count));
      break;
    case 'flush':
      await need().flush();
      break;
    case 'set-level':
      await need().setLevel(msg.level);
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
  // setLevel loads models first; running it outside the chain lets audio keep flowing meanwhile.
  const run = (): Promise<void> =>
    handle(msg).catch((err: unknown) => {
      const r = toRecognizerError(err);
      post({ type: 'failed', id: msg.id, code: r.code, message: r.message });
    });
  if (msg.type === 'set-level') void run();
  else chain = chain.then(run);
});

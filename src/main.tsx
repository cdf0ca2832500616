import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createRecognizerClient } from './asr/client';
import { APP_WASM_PATHS } from './asr/ort-assets';
import { configureOmnisparse } from './lib/config';
import { App } from './ui/App';
import { browserStorage, finalPassLoadOptions, rememberedFinalPass } from './ui/settings';
import { registerServiceWorker } from './ui/serviceWorker';
import { parseAppParams } from './ui/urlParams';
import './ui/app.css';

const params = parseAppParams(location.search, location.href);
const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');

// The app ships onnxruntime's runtime as its own hashed assets; the embed view below goes through the library API
// (mountOmnisparse → <omnisparse-dictation>), which is told where they are the way any embedder would be.
configureOmnisparse({ wasm: APP_WASM_PATHS });

// Offline use (src/sw/sw.ts) in production builds only: under `vite dev` a cached shell would hide edits, and only
// the app build emits sw.js. The library (src/lib) never registers one: an embedding page owns its origin.
if (import.meta.env.PROD) registerServiceWorker(import.meta.env.BASE_URL);

if (params.embed) {
  // ?embed=1: just the dictation widget (an iframe-friendly embed, and the widget's e2e entry point).
  document.body.classList.add('embed');
  void import('./widget').then(({ mountOmnisparse }) =>
    mountOmnisparse(root, {
      manifestUrl: params.manifestUrl,
      backend: params.backend,
      ...(params.level ? { level: params.level } : {}),
      // Only an explicit ?final-pass=: the widget, like any embed, downloads no second pass unless asked to.
      ...(params.finalPass ? { finalPass: params.finalPass } : {}),
    }),
  );
} else {
  createRoot(root).render(
    <StrictMode>
      <App
        createClient={() => createRecognizerClient({ wasmPaths: APP_WASM_PATHS })}
        manifestUrl={params.manifestUrl}
        backend={params.backend}
        {...(params.level ? { level: params.level } : {})}
        {...finalPassLoadOptions(params.finalPass, rememberedFinalPass(browserStorage()))}
      />
    </StrictMode>,
  );
}

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createRecognizerClient } from './asr/client';
import { App } from './ui/App';
import { parseAppParams } from './ui/urlParams';
import './ui/app.css';

const params = parseAppParams(location.search, location.href);
const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');

if (params.embed) {
  // ?embed=1: just the dictation widget (an iframe-friendly embed, and the widget's e2e entry point).
  document.body.classList.add('embed');
  void import('./widget').then(({ mountOmnisparse }) =>
    mountOmnisparse(root, {
      manifestUrl: params.manifestUrl,
      backend: params.backend,
      ...(params.level ? { level: params.level } : {}),
    }),
  );
} else {
  createRoot(root).render(
    <StrictMode>
      <App
        createClient={() => createRecognizerClient()}
        manifestUrl={params.manifestUrl}
        backend={params.backend}
        {...(params.level ? { level: params.level } : {})}
      />
    </StrictMode>,
  );
}

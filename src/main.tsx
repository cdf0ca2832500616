import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createRecognizerClient } from './asr/client';
import { App } from './ui/App';
import { parseAppParams } from './ui/urlParams';
import './ui/app.css';

const params = parseAppParams(location.search, location.href);
const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');

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

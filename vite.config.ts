import { createReadStream, cpSync, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const MODELS_DIR = resolve(import.meta.dirname, 'models');

// Cross-origin isolation is what unlocks SharedArrayBuffer, i.e. multithreaded WASM in onnxruntime-web.
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.txt': 'text/plain',
};

type Next = (err?: unknown) => void;

/** Maps `<base>models/<rel>` to a file inside MODELS_DIR; null for anything else (or attempts to escape it). */
export function modelFileFor(url: string, base: string): string | null {
  const path = decodeURIComponent(url.split('?')[0] ?? '');
  // A relative base ('./') is served from the root by both the dev and the preview server.
  const root = base.startsWith('/') ? base : '/';
  const prefix = `${root.endsWith('/') ? root : `${root}/`}models/`;
  if (!path.startsWith(prefix)) return null;
  const file = normalize(join(MODELS_DIR, path.slice(prefix.length)));
  if (!file.startsWith(MODELS_DIR + sep)) return null;
  return existsSync(file) && statSync(file).isFile() ? file : null;
}

function serveModels(base: string) {
  return (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    const file = req.url ? modelFileFor(req.url, base) : null;
    if (!file) return next();
    res.setHeader('Content-Type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(statSync(file).size));
    res.setHeader('Cache-Control', 'no-cache');
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    createReadStream(file).pipe(res);
  };
}

/**
 * The trained models live in the repo's `models/` folder (written by the Python recipe), not in `public/`:
 * serve them in dev and preview, and copy them into the build output.
 */
function modelsPlugin(): Plugin {
  let base = '/';
  let outDir = 'dist';
  return {
    name: 'omnisparse-models',
    configResolved(config) {
      base = config.base;
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use(serveModels(base));
    },
    configurePreviewServer(server) {
      server.middlewares.use(serveModels(base));
    },
    closeBundle() {
      if (existsSync(MODELS_DIR) && existsSync(outDir)) {
        // the app needs the manifest and the levels; checkpoints and the archived v1 family are for training only
        const trainingOnly = (src: string): boolean => /[\\/]models[\\/](checkpoints|v1)([\\/]|$)|\.pt$/.test(src);
        cpSync(MODELS_DIR, join(outDir, 'models'), { recursive: true, filter: (src) => !trainingOnly(src) });
      }
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [react(), modelsPlugin()],
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: {
    target: 'es2022',
    // examples/react.html: the React hook example (and its e2e page), built and served with the app.
    rolldownOptions: { input: { main: resolve(import.meta.dirname, 'index.html'), react: resolve(import.meta.dirname, 'examples/react.html') } },
  },
});

import { createHash } from 'node:crypto';
import { createReadStream, cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, normalize, relative, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { build, defineConfig, type Plugin } from 'vite';
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

const SW_FILE = 'sw.js';

/**
 * What the service worker precaches: every file of the app build except the models (cached per level, as loaded)
 * and the worker itself. Relative to the build folder, '/'-separated, sorted so the version is reproducible.
 */
function precacheFiles(outDir: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  return walk(outDir)
    .map((f) => relative(outDir, f).split(sep).join('/'))
    .filter((f) => !f.startsWith('models/') && f !== SW_FILE)
    .sort();
}

/**
 * Builds src/sw/sw.ts into `<outDir>/sw.js` after the app is written, with the list of files to precache and a hash
 * of their contents (a new build = a new worker = a fresh shell cache). A separate single-file build: registered as a
 * classic script (which every browser with service workers runs, unlike module workers), it must not import chunks.
 * App builds only: vite.lib.config.ts does not use this config, and `vite dev` never runs closeBundle.
 */
function serviceWorkerPlugin(): Plugin {
  let outDir = 'dist';
  return {
    name: 'omnisparse-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      if (!existsSync(join(outDir, 'index.html'))) return; // a failed or partial build: nothing to make offline
      const files = precacheFiles(outDir);
      const hash = createHash('sha256');
      for (const f of files) hash.update(f).update('\0').update(readFileSync(join(outDir, f)));
      const precache = { version: hash.digest('hex').slice(0, 16), files };
      const result = await build({
        configFile: false,
        logLevel: 'warn',
        publicDir: false,
        define: { __OMNISPARSE_PRECACHE__: JSON.stringify(precache) },
        build: {
          write: false,
          target: 'es2022',
          minify: true,
          lib: { entry: resolve(import.meta.dirname, 'src/sw/sw.ts'), formats: ['iife'], name: 'omnisparseServiceWorker', fileName: 'sw' },
        },
      });
      const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => ('output' in r ? r.output : []));
      const chunk = outputs.find((o) => o.type === 'chunk');
      if (!chunk || chunk.type !== 'chunk' || outputs.length !== 1) throw new Error('service worker build: expected exactly one chunk');
      writeFileSync(join(outDir, SW_FILE), chunk.code);
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [react(), modelsPlugin(), serviceWorkerPlugin()],
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

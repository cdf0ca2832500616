// The library build (`npm run build:lib` → dist-lib/, what `npm pack` ships): Vite library mode, ES modules only.
//   index.js                  createRecognizer, configureOmnisparse, the element class, mountOmnisparse
//   omnisparse-dictation.js   the same, and registers <omnisparse-dictation> (the one-tag entry for plain pages)
//   react.js                  useOmnisparse (react is a peer dependency, left external)
//   assets/                   the inference worker and the audio worklet (emitted files, never blob:/data: URLs,
//                             so a strict CSP with script-src/worker-src 'self' holds)
//   ort/                      onnxruntime-web's runtime (.mjs glue + .wasm), found via the `wasm` option/attribute
//   types/                    declarations (tsc -p tsconfig.lib.json, run after this build)
// Everything except react is bundled: a plain HTML page has no import map to resolve bare specifiers.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import { ORT_RUNTIME_FILES } from './src/lib/options.ts';

const OUT_DIR = resolve(import.meta.dirname, 'dist-lib');
const require = createRequire(import.meta.url);

/** Copies onnxruntime-web's runtime into dist-lib/ort/: bundling it would inline 25 MB of wasm as base64. */
function ortRuntime(): Plugin {
  let outDir = OUT_DIR;
  return {
    name: 'omnisparse-ort-runtime',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir); // honours `--outDir` (the e2e spec builds into /tmp)
    },
    writeBundle() {
      mkdirSync(join(outDir, 'ort'), { recursive: true });
      for (const file of Object.values(ORT_RUNTIME_FILES)) {
        copyFileSync(require.resolve(`onnxruntime-web/${file}`), join(outDir, 'ort', file));
      }
    },
  };
}

export default defineConfig({
  // Relative base: the worker and worklet URLs become `new URL('assets/…', import.meta.url)`, valid wherever dist-lib
  // is served from (a '/'-rooted base would only work when it sits at the site root).
  base: './',
  publicDir: false,
  plugins: [ortRuntime()],
  // onnxruntime-web's own switch for "the embedder provides the wasm" (ort.min.mjs): its default entry references the
  // binary through `new URL(..., import.meta.url)`, which library mode would inline into the worker as base64.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  worker: { format: 'es' },
  // Library mode leaves process.env alone for Node consumers; browsers loading dist-lib directly have no `process`.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    lib: {
      entry: {
        index: resolve(import.meta.dirname, 'src/lib/index.ts'),
        'omnisparse-dictation': resolve(import.meta.dirname, 'src/lib/element.ts'),
        react: resolve(import.meta.dirname, 'src/lib/react.ts'),
      },
      formats: ['es'],
    },
    rolldownOptions: {
      external: [/^react($|\/)/],
      // Shared chunks next to the entries: bundled-runtime.ts finds ort/ relative to whichever chunk holds it.
      output: { chunkFileNames: '[name]-[hash].js' },
    },
  },
});

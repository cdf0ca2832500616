// Builds only the bench page (bench/page -> bench/dist); bench/serve.ts serves it with the models and COOP/COEP.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: resolve(import.meta.dirname, 'page'),
  base: './',
  logLevel: 'warn',
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', outDir: resolve(import.meta.dirname, 'dist'), emptyOutDir: true },
});

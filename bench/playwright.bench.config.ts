// `npm run bench:browser`: builds the bench page, serves it with COOP/COEP (bench/serve.ts), builds the real app and
// serves it with `vite preview` (app-latency.spec.ts), and drives both with Debian's Chromium; Playwright stops the
// servers when the run ends. One worker: the box has 2 shared cores.
import { defineConfig } from '@playwright/test';
import { APP_PORT, BENCH_PORT, CHROMIUM, benchChromiumArgs } from './lib/chromium';

/** Outside the repo: the app's own dist/ may be rebuilt by e2e runs at the same time. */
const APP_DIST = process.env.BENCH_APP_DIST ?? '/tmp/omnisparse-bench-app';

export default defineConfig({
  testDir: '.',
  testMatch: /(browser-bench|app-latency|app-long-run)\.spec\.ts/,
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 600_000,
  reporter: [['list']],
  outputDir: '../test-results/bench',
  use: {
    baseURL: `http://127.0.0.1:${BENCH_PORT}/`,
    launchOptions: { executablePath: CHROMIUM, args: benchChromiumArgs({ webgpu: false }) },
    // The app's offline service worker would precache and re-verify files while the latencies are measured: the
    // benches measure the runtime, so every fetch goes to the server as on a first visit.
    serviceWorkers: 'block',
  },
  webServer: [
    {
      command: `npx vite build --config bench/vite.bench.config.ts && npx tsx bench/serve.ts --port ${BENCH_PORT}`,
      cwd: '..',
      url: `http://127.0.0.1:${BENCH_PORT}/`,
      reuseExistingServer: false,
      timeout: 240_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: `npx vite build --logLevel warn --outDir ${APP_DIST} --emptyOutDir && npx vite preview --outDir ${APP_DIST} --host 127.0.0.1 --port ${APP_PORT} --strictPort`,
      cwd: '..',
      url: `http://127.0.0.1:${APP_PORT}/`,
      reuseExistingServer: false,
      timeout: 240_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});

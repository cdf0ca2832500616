// `npm run bench:browser`: builds the bench page, serves it with COOP/COEP (bench/serve.ts, stopped by Playwright
// when the run ends) and drives it with Debian's Chromium. One worker: the box has 2 shared cores.
import { defineConfig } from '@playwright/test';
import { BENCH_PORT, CHROMIUM, benchChromiumArgs } from './lib/chromium';

export default defineConfig({
  testDir: '.',
  testMatch: /browser-bench\.spec\.ts/,
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 600_000,
  reporter: [['list']],
  outputDir: '../test-results/bench',
  use: {
    baseURL: `http://127.0.0.1:${BENCH_PORT}/`,
    launchOptions: { executablePath: CHROMIUM, args: benchChromiumArgs({ webgpu: false }) },
  },
  webServer: {
    command: `npx vite build --config bench/vite.bench.config.ts && npx tsx bench/serve.ts --port ${BENCH_PORT}`,
    cwd: '..',
    url: `http://127.0.0.1:${BENCH_PORT}/`,
    reuseExistingServer: false,
    timeout: 240_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});

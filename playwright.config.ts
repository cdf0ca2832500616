import { defineConfig } from '@playwright/test';
import { CHROMIUM, chromiumArgs } from './e2e/fixtures';

const PORT = 4173;

export default defineConfig({
  testDir: './e2e',
  globalSetup: './e2e/global-setup.ts',
  // One worker: the box has 2 shared cores and every test runs ONNX inference; parallel runs would only add timeouts.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${PORT}/`,
    trace: 'retain-on-failure',
    launchOptions: { executablePath: CHROMIUM, args: chromiumArgs() },
  },
  // A production build + preview is what users get (and the multithreaded WASM path differs from dev): test that.
  webServer: {
    command: `npx vite build && npx vite preview --port ${PORT} --strictPort`,
    url: `http://localhost:${PORT}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 240_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
  projects: [
    { name: 'wasm', testIgnore: /webgpu\.spec\.ts/ },
    {
      name: 'webgpu',
      testMatch: /webgpu\.spec\.ts/,
      use: { launchOptions: { executablePath: CHROMIUM, args: chromiumArgs({ webgpu: true }) } },
    },
  ],
});

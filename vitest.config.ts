import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**', 'dist/**', 'bench/dist/**'],
    environment: 'node',
    // ONNX sessions and WAV decoding in the CLI integration test are slow on the shared 2-core box.
    testTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});

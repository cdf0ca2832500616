import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { openApp, transcribeFile } from './app';
import { BACKEND_CER_BOUND } from './bounds';
import { cer } from './cer';
import { CLIPS, clipPath } from './fixtures';

// SwiftShader runs WebGPU on the CPU, emulated: model family v2 (8 M parameters, int8 weights) needs minutes per clip
// there, far beyond a real GPU. Kernel equivalence does not depend on the level, so the check runs on the smallest
// one, with a timeout sized for the emulation.
const GPU_TIMEOUT_MS = 420_000;
const manifest = JSON.parse(readFileSync(new URL('../models/manifest.json', import.meta.url), 'utf8')) as {
  levels: { id: string }[];
};
const LEVEL = manifest.levels[manifest.levels.length - 1]?.id ?? '';

test('WebGPU backend gives the same file transcript as WASM', async ({ page }) => {
  test.setTimeout(GPU_TIMEOUT_MS + 120_000);
  await page.goto('./');
  const adapter = await page.evaluate(async () => {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    if (!gpu) return 'navigator.gpu is undefined';
    return (await gpu.requestAdapter()) ? 'ok' : 'navigator.gpu.requestAdapter() returned null';
  });
  test.skip(adapter !== 'ok', `no WebGPU adapter in this Chromium: ${adapter}`);

  await openApp(page, `?backend=wasm&level=${LEVEL}`);
  await expect(page.getByTestId('backend')).toHaveText(/^wasm/);
  const wasmText = await transcribeFile(page, clipPath(CLIPS.dictation));

  await openApp(page, `?backend=webgpu&level=${LEVEL}`);
  await expect(page.getByTestId('backend')).toHaveText('webgpu');
  const t0 = Date.now();
  const gpuText = await transcribeFile(page, clipPath(CLIPS.dictation), GPU_TIMEOUT_MS);
  console.log(`WebGPU (SwiftShader) transcription took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const score = cer(wasmText, gpuText);
  test.info().annotations.push({ type: 'cer', description: `${score.toFixed(3)} wasm="${wasmText}" webgpu="${gpuText}"` });
  expect(wasmText.length).toBeGreaterThan(0);
  console.log(`CER ${score}\nWASM ${wasmText}\nGPU  ${gpuText}`);
  expect(score).toBeLessThanOrEqual(BACKEND_CER_BOUND);
});

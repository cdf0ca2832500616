import { expect, test } from '@playwright/test';
import { openApp, transcribeFile } from './app';
import { BACKEND_CER_BOUND } from './bounds';
import { cer } from './cer';
import { CLIPS, clipPath } from './fixtures';

test('WebGPU backend gives the same file transcript as WASM', async ({ page }) => {
  await page.goto('./');
  const adapter = await page.evaluate(async () => {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    if (!gpu) return 'navigator.gpu is undefined';
    return (await gpu.requestAdapter()) ? 'ok' : 'navigator.gpu.requestAdapter() returned null';
  });
  test.skip(adapter !== 'ok', `no WebGPU adapter in this Chromium: ${adapter}`);

  await openApp(page, '?backend=wasm');
  await expect(page.getByTestId('backend')).toHaveText(/^wasm/);
  const wasmText = await transcribeFile(page, clipPath(CLIPS.dictation));

  await openApp(page, '?backend=webgpu');
  await expect(page.getByTestId('backend')).toHaveText('webgpu');
  const gpuText = await transcribeFile(page, clipPath(CLIPS.dictation));
  const score = cer(wasmText, gpuText);
  test.info().annotations.push({ type: 'cer', description: `${score.toFixed(3)} wasm="${wasmText}" webgpu="${gpuText}"` });
  expect(wasmText.length).toBeGreaterThan(0);
  console.log(`CER ${score}\nWASM ${wasmText}\nGPU  ${gpuText}`);
  expect(score).toBeLessThanOrEqual(BACKEND_CER_BOUND);
});

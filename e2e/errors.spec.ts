import { expect, test } from '@playwright/test';
import { openApp, transcribeFile } from './app';
import { CHROMIUM, chromiumArgs, CLIPS, clipPath } from './fixtures';

// A fake device exists, but without --use-fake-ui-for-media-stream headless Chromium denies the permission prompt.
test.use({ launchOptions: { executablePath: CHROMIUM, args: chromiumArgs({ grantMic: false }) } });

test('mic denied shows a clear error and the file input still works', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('mic-button').click();
  const error = page.getByTestId('error');
  await expect(error.locator('[data-code="mic-denied"]')).toBeVisible();
  await expect(error).toContainText('Microphone access was denied');
  const text = await transcribeFile(page, clipPath(CLIPS.dictation));
  expect(text.length).toBeGreaterThan(0);
});

test('a corrupt model file is reported as model-corrupt', async ({ context, page }) => {
  await context.route('**/*.onnx', (route) =>
    route.fulfill({ status: 200, contentType: 'application/octet-stream', body: Buffer.from('not an onnx model '.repeat(64)) }),
  );
  await page.goto('./');
  await expect(page.getByTestId('error').locator('[data-code="model-corrupt"]')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('error')).toContainText('model-corrupt');
  // The rest of the page keeps working: the transcript pane and slider are still rendered.
  await expect(page.getByTestId('transcript')).toBeVisible();
});

test('a missing manifest is reported as model-missing', async ({ page }) => {
  // Vite preview answers unknown paths with index.html (SPA fallback); a static host answers 404: simulate that.
  await page.route('**/models/manifest.json', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto('./');
  await expect(page.getByTestId('error').locator('[data-code="model-missing"]')).toBeVisible({ timeout: 30_000 });
});

test('a browser without AudioWorklet gets a clear mic error while files still work', async ({ page }) => {
  await page.addInitScript(() => {
    delete (window as { AudioWorkletNode?: unknown }).AudioWorkletNode;
  });
  await openApp(page);
  await page.getByTestId('mic-button').click();
  await expect(page.getByTestId('error').locator('[data-code="no-audioworklet"]')).toBeVisible();
  expect((await transcribeFile(page, clipPath(CLIPS.dictation))).length).toBeGreaterThan(0);
});

test('a browser without WebAssembly is told so', async ({ page }) => {
  await page.addInitScript(() => {
    delete (window as { WebAssembly?: unknown }).WebAssembly;
  });
  await page.goto('./');
  await expect(page.getByTestId('error').locator('[data-code="no-wasm"]')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('status')).toHaveText('No model');
});

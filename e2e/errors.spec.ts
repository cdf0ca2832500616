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
  await page.goto('./?manifest=models/does-not-exist.json');
  await expect(page.getByTestId('error').locator('[data-code="model-missing"]')).toBeVisible({ timeout: 30_000 });
});

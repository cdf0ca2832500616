import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { openApp, transcribeFile, waitForApp, withFinalPass } from './app';
import { CHROMIUM, chromiumArgs, CLIPS, clipPath } from './fixtures';

const MODELS = resolve(import.meta.dirname, '..', 'models');
interface FileEntry {
  path: string;
  bytes: number;
}
interface ManifestJson {
  defaultLevel: string;
  levels: { id: string; label: string; files: Record<string, FileEntry> }[];
  [key: string]: unknown;
}
const manifest = (): ManifestJson => JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8')) as ManifestJson;
const defaultEncoder = (): FileEntry => {
  const m = manifest();
  return m.levels.find((l) => l.id === m.defaultLevel)!.files.encoder!;
};

/**
 * Serves `body` as models/manifest.json. Context-wide: once the service worker controls the page, its fetches are
 * the ones that reach the network, and page.route would not see them.
 */
async function serveManifest(context: BrowserContext, body: string): Promise<void> {
  await context.route('**/models/manifest.json', (route) => route.fulfill({ status: 200, contentType: 'application/json', body }));
}

/** The first load fails with `code`, and the banner says each of `texts`. */
async function firstLoadFails(page: Page, code: string, ...texts: string[]): Promise<void> {
  await page.goto(`./${withFinalPass('')}`);
  const error = page.getByTestId('error');
  await expect(error.locator(`[data-code="${code}"]`)).toBeVisible({ timeout: 60_000 });
  for (const text of texts) await expect(error).toContainText(text);
}

/** The failed first load leaves a working page: "Try again" (once the server is fixed) loads the model, files work. */
async function retryWorks(context: BrowserContext, page: Page): Promise<void> {
  await expect(page.getByTestId('status')).toHaveText('No model');
  await context.unrouteAll();
  await page.getByTestId('retry-load').click();
  await waitForApp(page);
  await expect(page.getByTestId('error')).toHaveCount(0); // the failed attempt's message is gone
  expect((await transcribeFile(page, clipPath(CLIPS.dictation))).length).toBeGreaterThan(0);
}

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

test('a model file missing on the server (404) is worded as such, and "Try again" loads once it is back', async ({ context, page }) => {
  test.setTimeout(180_000);
  await context.route(`**/models/${defaultEncoder().path}`, (route) => route.fulfill({ status: 404, body: 'not found' }));
  await firstLoadFails(page, 'model-missing', 'A model file is missing on the server', 'encoder.onnx (HTTP 404)');
  await retryWorks(context, page);
});

test('a level whose files are missing (404) keeps the running level, which still transcribes', async ({ context, page }) => {
  test.setTimeout(180_000);
  const m = manifest();
  const base = m.levels.find((l) => l.id === m.defaultLevel)!;
  // A second level whose files the server does not have (the shipped model has one level).
  const gone = {
    ...base,
    id: 'gone',
    label: 'Gone',
    files: Object.fromEntries(Object.entries(base.files).map(([k, f]) => [k, { ...f, path: f.path.replace(`/${base.id}/`, '/gone/') }])),
  };
  await serveManifest(context, JSON.stringify({ ...m, levels: [base, gone] }));
  await context.route('**/models/levels/gone/**', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await openApp(page);
  await page.getByTestId('level-slider').fill('1');
  const error = page.getByTestId('error');
  await expect(error.locator('[data-code="model-missing"]')).toBeVisible({ timeout: 60_000 });
  await expect(error).toContainText('A model file is missing on the server');
  await expect(page.getByTestId('level-label')).toHaveAttribute('data-level', base.id); // snapped back
  await expect(page.getByTestId('retry-load')).toHaveCount(0); // a model runs: nothing to retry
  expect((await transcribeFile(page, clipPath(CLIPS.dictation))).length).toBeGreaterThan(0);
});

test('a truncated model download is worded as cut short, and "Try again" recovers', async ({ context, page }) => {
  test.setTimeout(180_000);
  const encoder = defaultEncoder();
  const half = readFileSync(join(MODELS, encoder.path)).subarray(0, Math.floor(encoder.bytes / 2));
  await context.route(`**/models/${encoder.path}`, (route) =>
    route.fulfill({ status: 200, contentType: 'application/octet-stream', body: half }),
  );
  await firstLoadFails(page, 'model-corrupt', 'A model download was cut short', `Only ${Math.floor((100 * half.length) / encoder.bytes)} % of encoder.onnx`);
  await retryWorks(context, page);
});

test('a manifest that is not JSON is worded as a damaged model list, and the page recovers', async ({ context, page }) => {
  test.setTimeout(180_000);
  await serveManifest(context, '{"formatVersion": 2, "levels": [');
  await firstLoadFails(page, 'model-corrupt', 'The model list is damaged', 'not valid JSON');
  await retryWorks(context, page);
});

test('a manifest missing a required field names the field, and the page recovers', async ({ context, page }) => {
  test.setTimeout(180_000);
  const { vocabulary: _dropped, ...withoutVocabulary } = manifest();
  await serveManifest(context, JSON.stringify(withoutVocabulary));
  await firstLoadFails(page, 'model-corrupt', 'The model list is incomplete', 'lacks a valid "vocabulary" entry');
  await retryWorks(context, page);
});

test('no WebGPU adapter (--disable-gpu): auto runs on WASM and transcribes', async ({ page }) => {
  await openApp(page);
  const adapter = await page.evaluate(async () => {
    const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    return gpu ? (await gpu.requestAdapter()) !== null : false;
  });
  expect(adapter, 'this browser really has no WebGPU adapter').toBe(false);
  await expect(page.getByTestId('backend')).toHaveText(/^wasm(-threaded)?$/);
  expect((await transcribeFile(page, clipPath(CLIPS.dictation))).length).toBeGreaterThan(0);
});

test('no WebGPU adapter, WebGPU asked for by URL: it runs on WASM and says WebGPU is unavailable', async ({ page }) => {
  // Before, the badge said "webgpu" while onnxruntime quietly ran every session on its WASM fallback.
  await openApp(page, 'backend=webgpu');
  await expect(page.getByTestId('backend')).toHaveText(/^wasm(-threaded)?$/);
  await expect(page.getByTestId('backend-note')).toHaveText('WebGPU unavailable');
  expect((await transcribeFile(page, clipPath(CLIPS.dictation))).length).toBeGreaterThan(0);
});

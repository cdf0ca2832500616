import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Request } from '@playwright/test';
import { openApp, transcribeFile, waitForApp } from './app';
import { buildLibrary, LIB_DIR } from './embed';
import { CLIPS, clipPath } from './fixtures';

// The production build registers src/sw/sw.ts. One online visit, then the network is cut (for the page, its workers
// and the service worker alike: Playwright emulates offline for service workers too) and the page is reloaded.
test('after one visit the app reloads and transcribes a file with the network cut, all from its own origin', async ({ context, page, baseURL }) => {
  test.setTimeout(300_000);
  const origin = new URL(baseURL!).origin;
  await openApp(page);
  const badge = page.getByTestId('offline');
  await expect(badge).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  await expect(badge).toHaveText('Available offline');

  await context.setOffline(true);
  // Context-wide: the page, its dedicated workers (the recognizer, onnxruntime's threads) and the service worker.
  const requests: Request[] = [];
  context.on('request', (r) => requests.push(r));
  await page.reload();
  await waitForApp(page);
  // Proof the cut reaches the service worker's own fetches: a models/ file the manifest does not name goes to the
  // network through it, and fails. So the model files below can only have come from its cache.
  const probe = await page.evaluate(() => fetch('models/frontend.json', { cache: 'no-store' }).then(() => 'fetched', () => 'failed'));
  expect(probe).toBe('failed');

  const text = await transcribeFile(page, clipPath(CLIPS.dictation));
  console.log(`offline transcript: "${text}"`);
  expect(text.length).toBeGreaterThan(0);
  await expect(badge).toHaveAttribute('data-state', 'ready');

  const fromPage = requests.filter((r) => r.serviceWorker() === null);
  const served = async (suffix: RegExp): Promise<boolean[]> =>
    Promise.all(fromPage.filter((r) => suffix.test(new URL(r.url()).pathname)).map(async (r) => (await r.response())?.fromServiceWorker() ?? false));
  // What the offline run needed, each answered by the service worker: the page, the model files, onnxruntime's wasm.
  for (const kind of [/\/index\.html$|\/$/, /\.onnx$/, /manifest\.json$/, /\.wasm$/, /\/assets\/worker-[^/]+\.js$/]) {
    const answers = await served(kind);
    expect(answers.length, `requests for ${kind}`).toBeGreaterThan(0);
    expect(answers.every(Boolean), `every request for ${kind} served by the service worker`).toBe(true);
  }
  const foreign = requests.map((r) => r.url()).filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
  expect(foreign).toEqual([]);
});

// An embedding page owns its origin: the library must never install a service worker there. Checked on the built
// files (the app's bundle does contain the registration, so a shared module pulling it in would show up here).
test('the library build registers no service worker', () => {
  const registering = (dir: string): string[] =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.m?js$/.test(f))
      .filter((f) => /serviceWorker|\bsw\.js\b/.test(readFileSync(join(dir, f), 'utf8')));
  // The detector finds the app's registration (dist/ is the build the e2e server serves)...
  expect(registering(join(import.meta.dirname, '..', 'dist', 'assets')).length).toBeGreaterThan(0);
  // ...and nothing in the library.
  buildLibrary();
  expect(readdirSync(LIB_DIR).length).toBeGreaterThan(3);
  expect(registering(LIB_DIR)).toEqual([]);
});

// Page helpers shared by the specs: open the app, read the transcript, wait for a file to finish.
import { expect, type Page } from '@playwright/test';

export const REAL_BACKEND = /^(wasm|wasm-threaded|webgpu)$/;

/**
 * `?final-pass=none` unless the query chooses one: the app's own default (Whisper's decoder where the model offers it)
 * would download ~28 MB more and rewrite every final line, while most specs compare finals with the CLI's streaming
 * text. e2e/final-pass.spec.ts and origin.spec.ts choose the second pass themselves.
 */
export function withFinalPass(query: string): string {
  const q = new URLSearchParams(query);
  if (!q.has('final-pass')) q.set('final-pass', 'none');
  return `?${q.toString()}`;
}

/** Opens the app and waits until the manifest (and a chosen second pass) is loaded and the worker reported its backend. */
export async function openApp(page: Page, query = ''): Promise<void> {
  await page.goto(`./${withFinalPass(query)}`);
  await waitForApp(page);
}

/** Waits until the page's load (a goto or a reload) finished: backend reported, mic enabled. */
export async function waitForApp(page: Page): Promise<void> {
  await expect(page.getByTestId('backend')).toHaveText(REAL_BACKEND, { timeout: 60_000 });
  // Enabled once the load finished, second pass included (Whisper's 30 MB are sha256-checked and compiled).
  await expect(page.getByTestId('mic-button')).toBeEnabled({ timeout: 120_000 });
}

export async function finalTexts(page: Page): Promise<string[]> {
  return (await page.getByTestId('final-line').allInnerTexts()).map((t) => t.trim());
}

/** Everything recognized so far: finals, then the partial if any. */
export async function fullText(page: Page): Promise<string> {
  const partial = page.getByTestId('partial');
  const tail = (await partial.count()) > 0 ? await partial.innerText() : '';
  return [...(await finalTexts(page)), tail.trim()].filter((t) => t !== '').join(' ');
}

export async function status(page: Page): Promise<string | null> {
  return page.getByTestId('status').getAttribute('data-status');
}

/** Feeds a file through the file input and waits until it is fully flushed into final lines. */
export async function transcribeFile(page: Page, path: string, timeoutMs = 90_000): Promise<string> {
  const before = await page.getByTestId('final-line').count();
  await page.getByTestId('file-input').setInputFiles(path);
  await expect
    .poll(async () => (await page.getByTestId('final-line').count()) > before && (await status(page)) === 'idle', {
      timeout: timeoutMs,
    })
    .toBe(true);
  await expect(page.getByTestId('partial')).toHaveCount(0);
  return (await finalTexts(page)).slice(before).join(' ');
}

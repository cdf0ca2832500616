// useOmnisparse() in a React app (examples/react-example.tsx, StrictMode, built with the app): the hook loads once,
// reports readiness and transcribes a file through the same recognizer as the element.
import { expect, test } from '@playwright/test';
import { FILE_CER_BOUND } from './bounds';
import { cer } from './cer';
import { CLIPS, clipPath, readReferences } from './fixtures';

test('the React hook: load, ready, transcribe a file into its own UI', async ({ page }) => {
  const ref = readReferences()[CLIPS.dictation.name]!;
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  await page.goto('./examples/react.html');
  await expect(page.getByTestId('status')).toHaveAttribute('data-ready', 'true', { timeout: 90_000 });
  await expect(page.getByTestId('toggle')).toBeEnabled();
  await expect(page.getByRole('combobox', { name: 'Model size' })).toHaveValue(ref.level);
  await page.getByTestId('file').setInputFiles(clipPath(CLIPS.dictation));
  await expect(page.getByTestId('status')).toContainText('file', { timeout: 30_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-ready', 'true', { timeout: 90_000 });
  const text = await page.getByTestId('text').innerText();
  const score = cer(ref.text, text);
  console.log(`CER ${score}\nREF ${ref.text}\nGOT ${text}`);
  expect(score).toBeLessThanOrEqual(FILE_CER_BOUND);
  // StrictMode mounts twice in development only; in this production build one recognizer means one inference worker
  expect(workers.filter((u) => /worker/.test(u))).toHaveLength(1);
});

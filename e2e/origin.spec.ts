import { expect, test } from '@playwright/test';
import { openApp, transcribeFile } from './app';
import { CLIPS, clipPath } from './fixtures';

// With Whisper's second pass chosen, so its decoder, cross-attention graph and tokens.json (fetched only when chosen)
// and its run at the file's endpoint are covered too.
test('no request leaves the page origin (load with the Whisper second pass, file transcription, level switch)', async ({ context, page, baseURL }) => {
  test.setTimeout(240_000);
  const origin = new URL(baseURL!).origin;
  const urls: string[] = [];
  // Context-wide, so the service worker's own fetches (precache, offline copies) are counted too.
  context.on('request', (r) => urls.push(r.url()));
  await openApp(page, '?final-pass=whisper');
  await expect(page.getByTestId('final-pass')).toHaveAttribute('data-active', 'whisper');
  await transcribeFile(page, clipPath(CLIPS.dictation), 150_000);
  await expect(page.getByTestId('final-line').first()).toHaveAttribute('data-pass', /^(whisper|stream)$/);
  const slider = page.getByTestId('level-slider');
  if (Number(await slider.getAttribute('max')) >= 1) {
    const before = await page.getByTestId('level-label').getAttribute('data-level');
    await slider.fill(await slider.inputValue() === '0' ? '1' : '0');
    await expect(page.getByTestId('level-label')).not.toHaveAttribute('data-level', before ?? '');
    await expect(page.getByTestId('level-label')).not.toContainText('loading', { timeout: 30_000 });
  }
  expect(urls.some((u) => u.endsWith('.onnx'))).toBe(true); // the recorder did see the model downloads
  for (const file of ['whisper/decoder.onnx', 'whisper/cross.onnx', 'whisper/tokens.json']) {
    expect(urls.some((u) => u.endsWith(file))).toBe(true);
  }
  const foreign = urls.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
  expect(foreign).toEqual([]);
});

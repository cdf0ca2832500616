import { expect, test } from '@playwright/test';
import { openApp, transcribeFile } from './app';
import { CLIPS, clipPath } from './fixtures';

test('no request leaves the page origin (load, file transcription, level switch)', async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  await openApp(page);
  await transcribeFile(page, clipPath(CLIPS.dictation));
  const slider = page.getByTestId('level-slider');
  if (Number(await slider.getAttribute('max')) >= 1) {
    const before = await page.getByTestId('level-label').getAttribute('data-level');
    await slider.fill(await slider.inputValue() === '0' ? '1' : '0');
    await expect(page.getByTestId('level-label')).not.toHaveAttribute('data-level', before ?? '');
    await expect(page.getByTestId('level-label')).not.toContainText('loading', { timeout: 30_000 });
  }
  expect(urls.some((u) => u.endsWith('.onnx'))).toBe(true); // the recorder did see the model downloads
  const foreign = urls.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
  expect(foreign).toEqual([]);
});

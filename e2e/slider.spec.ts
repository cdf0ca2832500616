import { expect, test } from '@playwright/test';
import { finalTexts, openApp } from './app';
import { CHROMIUM, chromiumArgs, CLIPS, clipPath } from './fixtures';

const clip = CLIPS.twoPart;
test.use({ launchOptions: { executablePath: CHROMIUM, args: chromiumArgs({ micFile: clipPath(clip) }) } });

test('moving the slider mid-utterance keeps earlier text and recognition continues on the new level', async ({ page }) => {
  await openApp(page);
  const slider = page.getByTestId('level-slider');
  const max = Number(await slider.getAttribute('max'));
  test.skip(max < 1, 'the manifest has a single level');
  const startLevel = await page.getByTestId('level-label').getAttribute('data-level');

  await page.getByTestId('mic-button').click();
  // Sentence one ends in a 2 s pause, which the endpointer turns into a final line.
  await expect(page.getByTestId('final-line').first()).toBeVisible({ timeout: 30_000 });
  const firstLine = (await finalTexts(page))[0]!;
  // Sentence two has started: switch now, mid-utterance.
  await page.getByTestId('partial').waitFor({ timeout: 20_000 });
  const target = Number(await slider.inputValue()) === max ? 0 : max;
  await slider.fill(String(target));
  const label = page.getByTestId('level-label');
  await expect(label).not.toHaveAttribute('data-level', startLevel ?? '');
  const newLevel = (await label.getAttribute('data-level'))!;

  // Recognition continues: a line produced by the new level appears, and the first line is untouched.
  await expect(page.locator(`[data-testid="final-line"][data-level="${newLevel}"]`).first()).toBeVisible({ timeout: 40_000 });
  expect((await finalTexts(page))[0]).toBe(firstLine);
  await expect(page.getByTestId('latency-table')).toContainText(newLevel);
  await page.getByTestId('mic-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'idle', { timeout: 30_000 });
  expect((await finalTexts(page))[0]).toBe(firstLine);
});

import { expect, test } from '@playwright/test';
import { finalTexts, fullText, openApp } from './app';
import { CHROMIUM, chromiumArgs, CLIPS, clipPath, readReferences } from './fixtures';

const clip = CLIPS.twoPart;
test.use({ launchOptions: { executablePath: CHROMIUM, args: chromiumArgs({ micFile: clipPath(clip) }) } });

test('moving the slider mid-utterance keeps earlier text and recognition continues on the new level', async ({ page }) => {
  const ref = readReferences()[clip.name]!;
  await openApp(page);
  const slider = page.getByTestId('level-slider');
  const max = Number(await slider.getAttribute('max'));
  test.skip(max < 1, 'the manifest has a single level');
  const label = page.getByTestId('level-label');
  const startLevel = (await label.getAttribute('data-level'))!;

  await page.getByTestId('mic-button').click();
  const started = Date.now();
  // Switch 0.8 s into the second sentence: sentence one (followed by a 2 s pause) is behind us, two is mid-flight.
  const switchAtMs = (ref.speech[1]![0] + 0.8) * 1000;
  await page.waitForTimeout(Math.max(0, switchAtMs - (Date.now() - started)));
  const finalsBefore = await finalTexts(page);
  const textBefore = await fullText(page);
  expect(textBefore.length).toBeGreaterThan(0); // something was recognized before the switch
  // The middle of the slider, not its far end: v2.2's sparsest levels hear few words (s75 real-dev CER 83 %), and the
  // check below needs the new level to write a line of its own. A middle level is still a real switch: other shapes.
  const middle = Math.floor(max / 2);
  const target = Number(await slider.inputValue()) === middle ? 0 : middle;
  await slider.fill(String(target));
  await expect(label).not.toHaveAttribute('data-level', startLevel);
  const newLevel = (await label.getAttribute('data-level'))!;

  // Recognition continues: the new level processes chunks (its row appears in the latency table) while listening.
  await expect(page.getByTestId('latency-table')).toContainText(newLevel, { timeout: 30_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'listening');
  await page.waitForTimeout(Math.max(0, ref.audioSeconds * 1000 - (Date.now() - started)));
  await page.getByTestId('mic-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'idle', { timeout: 30_000 });

  // Nothing recognized before the switch was lost: earlier finals are untouched, and the text on screen at the
  // switch (finals + partial; the utterance continues across the switch and its text only ever grows) is a prefix
  // of the result.
  const finalsAfter = await finalTexts(page);
  expect(finalsAfter.slice(0, finalsBefore.length)).toEqual(finalsBefore);
  expect(finalsAfter.join(' ').startsWith(textBefore)).toBe(true);
  // ...and lines produced by the new level follow.
  await expect(page.locator(`[data-testid="final-line"][data-level="${newLevel}"]`).first()).toBeVisible();

  // The README's screenshot is this state (a dictation across two levels); only refreshed on request.
  if (process.env.OMNISPARSE_SCREENSHOT === '1') {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: 'docs/screenshot.png', fullPage: true });
  }
});

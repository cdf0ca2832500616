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
  // The middle of the slider, not its far end: v2.2's sparsest levels hear few words (s75 real-dev CER 83 %), and the
  // check below needs the new level to write a line of its own. A middle level is still a real switch: other shapes.
  const middle = Math.floor(max / 2);
  const startIndex = await slider.inputValue();
  const target = Number(startIndex) === middle ? 0 : middle;
  const switching = label.locator('.switching');

  // Visit the target level once before dictating, so the mid-utterance switch below meets it loaded. A first visit
  // fetches, checks and compiles the level while the old one keeps decoding; on a loaded CI box that took longer than
  // the rest of sentence two, so the new level heard only the trailing silence and wrote no line (a fresh-clone run
  // failed so). Uncached switches are covered by src/asr/level-switch.int.test.ts and errors.spec.ts.
  await slider.fill(String(target));
  await expect(switching).toHaveCount(0, { timeout: 60_000 });
  await slider.fill(startIndex);
  await expect(label).toHaveAttribute('data-level', startLevel);
  await expect(switching).toHaveCount(0, { timeout: 60_000 });

  await page.getByTestId('mic-button').click();
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  // Switch in the middle of sentence one, once its first words are on screen: they must survive the switch, and all
  // of sentence two (after a 2 s pause) is then the new level's to write.
  await expect.poll(() => fullText(page), { timeout: (ref.speech[0]![1] - 0.3) * 1000 }).not.toBe('');
  const finalsBefore = await finalTexts(page);
  const textBefore = await fullText(page);
  expect(textBefore.length).toBeGreaterThan(0); // something was recognized before the switch
  const requestedAt = seconds();
  await slider.fill(String(target));
  await expect(label).not.toHaveAttribute('data-level', startLevel);
  const newLevel = (await label.getAttribute('data-level'))!;
  await expect(switching).toHaveCount(0, { timeout: 30_000 });
  const switchedAt = seconds();
  console.log(`switch ${startLevel} -> ${newLevel} asked at ${requestedAt.toFixed(2)} s, done at ${switchedAt.toFixed(2)} s; ` +
    `sentence one ${ref.speech[0]!.join('-')} s, two ${ref.speech[1]!.join('-')} s`);
  expect(requestedAt, 'the switch was asked for mid-utterance').toBeLessThan(ref.speech[0]![1]);
  expect(switchedAt, 'the new level was running before sentence two began').toBeLessThan(ref.speech[1]![0]);

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
  // ...and the new level wrote sentence two, heard by it alone.
  const last = page.getByTestId('final-line').last();
  await expect(last).toHaveAttribute('data-level', newLevel);
  expect(finalsAfter.length).toBeGreaterThan(finalsBefore.length);
  expect(finalsAfter.at(-1)!).not.toBe('');

  // The README's screenshot is this state (a dictation across two levels); only refreshed on request.
  if (process.env.OMNISPARSE_SCREENSHOT === '1') {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: 'docs/screenshot.png', fullPage: true });
  }
});

import { expect, test } from '@playwright/test';
import { finalTexts, openApp } from './app';
import { MIC_CER_BOUND } from './bounds';
import { closestCer } from './cer';
import { CHROMIUM, chromiumArgs, CLIPS, clipPath, readReferences } from './fixtures';

const clip = CLIPS.dictation;
test.use({ launchOptions: { executablePath: CHROMIUM, args: chromiumArgs({ micFile: clipPath(clip) }) } });

test('dictation: a partial streams in before the speech ends, then a final line matches the CLI', async ({ page }) => {
  const ref = readReferences()[clip.name]!;
  await openApp(page);
  await page.getByTestId('mic-button').click();
  const started = Date.now();
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'listening');

  // Speech ends `tailSeconds` before the file does; a partial must be on screen before that moment.
  const speechEndsMs = (ref.audioSeconds - clip.tailSeconds) * 1000;
  await page.getByTestId('partial').waitFor({ timeout: speechEndsMs });
  const partialAfterMs = Date.now() - started;
  console.log(`first partial after ${partialAfterMs} ms; speech ends at ${speechEndsMs} ms`);
  expect(partialAfterMs).toBeLessThan(speechEndsMs);

  await expect(page.getByTestId('final-line').first()).toBeVisible({ timeout: 30_000 });
  // "Speech onset -> first text" (src/asr/onset-latency.ts): the first partial was painted after the clip's speech
  // began, so the panel holds a real latency, not a chunk's compute time of a few ms.
  const onsetText = (await page.locator('[data-metric="onset-to-text"] dd').textContent()) ?? '';
  console.log(`speech onset -> first text: ${onsetText}`);
  const onsetMs = Number(/^([\d.]+) ms/.exec(onsetText)?.[1] ?? Number.NaN);
  expect(onsetMs).toBeGreaterThan(20);
  expect(onsetMs).toBeLessThan(speechEndsMs);
  await page.getByTestId('mic-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'idle', { timeout: 30_000 });

  const text = (await finalTexts(page)).join(' ');
  // the capture starts at an arbitrary offset: compare with the CLI run whose chunk grid fell closest
  const { score, ref: closest } = closestCer([ref.text, ...ref.shiftedTexts], text);
  test.info().annotations.push({ type: 'cer', description: `${score.toFixed(3)} ref="${closest}" got="${text}" partial@${partialAfterMs}ms` });
  console.log(`CER ${score} partial@${partialAfterMs}ms\nREF ${closest}\nGOT ${text}`);
  expect(score).toBeLessThanOrEqual(MIC_CER_BOUND);
});

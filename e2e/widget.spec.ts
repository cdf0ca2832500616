import { expect, test } from '@playwright/test';
import { MIC_CER_BOUND } from './bounds';
import { closestCer } from './cer';
import { CHROMIUM, chromiumArgs, CLIPS, clipPath, readReferences } from './fixtures';

const clip = CLIPS.dictation;
test.use({ launchOptions: { executablePath: CHROMIUM, args: chromiumArgs({ micFile: clipPath(clip) }) } });

test('embeddable widget (?embed=1) dictates with the same client', async ({ page }) => {
  const ref = readReferences()[clip.name]!;
  await page.goto('./?embed=1');
  const widget = page.getByTestId('omnisparse-widget');
  const mic = widget.getByTestId('mic-button');
  await expect(mic).toBeEnabled({ timeout: 60_000 });
  await mic.click();
  await expect(mic).toHaveAttribute('aria-pressed', 'true');
  await expect(widget.getByTestId('partial')).not.toBeEmpty({ timeout: 15_000 });
  await page.waitForTimeout(ref.audioSeconds * 1000);
  await mic.click(); // stopping flushes: the partial becomes final text
  await expect(mic).toHaveAttribute('aria-pressed', 'false');
  await expect(widget.getByTestId('partial')).toBeEmpty({ timeout: 30_000 });
  const text = await widget.getByTestId('transcript').innerText();
  // the capture starts at an arbitrary offset: compare with the CLI run whose chunk grid fell closest
  const { score, ref: closest } = closestCer([ref.text, ...ref.shiftedTexts], text);
  test.info().annotations.push({ type: 'cer', description: `${score.toFixed(3)} ref="${closest}" got="${text}"` });
  console.log(`CER ${score}\nREF ${closest}\nGOT ${text}`);
  expect(score).toBeLessThanOrEqual(MIC_CER_BOUND);
});

import { expect, test } from '@playwright/test';
import { openApp, transcribeFile } from './app';
import { FILE_CER_BOUND } from './bounds';
import { cer } from './cer';
import { CLIPS, clipPath, readReferences } from './fixtures';

test('file input gives the same text as the CLI', async ({ page }) => {
  const ref = readReferences()[CLIPS.dictation.name]!;
  await openApp(page);
  await expect(page.getByTestId('level-label')).toHaveAttribute('data-level', ref.level);
  const text = await transcribeFile(page, clipPath(CLIPS.dictation));
  const score = cer(ref.text, text);
  test.info().annotations.push({ type: 'cer', description: `${score.toFixed(3)} ref="${ref.text}" got="${text}"` });
  console.log(`CER ${score}\nREF ${ref.text}\nGOT ${text}`);
  expect(score).toBeLessThanOrEqual(FILE_CER_BOUND);
});

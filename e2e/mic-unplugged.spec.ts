import { expect, test } from '@playwright/test';
import { finalTexts, fullText, openApp, status } from './app';
import { CHROMIUM, chromiumArgs, CLIPS, clipPath, readReferences } from './fixtures';

const clip = CLIPS.dictation;
test.use({ launchOptions: { executablePath: CHROMIUM, args: chromiumArgs({ micFile: clipPath(clip) }) } });

test('a microphone unplugged mid-dictation: what it heard becomes a line, the app says why it stopped and dictates again', async ({ page }) => {
  const ref = readReferences()[clip.name]!;
  // Keep the page's microphone streams within reach, so the test can end their tracks as a device unplug does.
  await page.addInitScript(() => {
    const media = navigator.mediaDevices;
    const open = media.getUserMedia.bind(media);
    const streams: MediaStream[] = [];
    (window as unknown as { micStreams: MediaStream[] }).micStreams = streams;
    media.getUserMedia = async (c?: MediaStreamConstraints) => {
      const s = await open(c);
      streams.push(s);
      return s;
    };
  });
  await openApp(page);
  await page.getByTestId('mic-button').click();
  const started = Date.now();
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'listening');
  // Mid-sentence: once words are on screen and well before the speech ends.
  await expect.poll(() => fullText(page), { timeout: (ref.speech[0]![1] - 0.5) * 1000 }).not.toBe('');
  const heard = await fullText(page);
  const unpluggedAt = (Date.now() - started) / 1000;
  // A device that goes away ends its track: no more samples, readyState 'ended', and an 'ended' event (which
  // track.stop() alone does not fire).
  await page.evaluate(() => {
    for (const s of (window as unknown as { micStreams: MediaStream[] }).micStreams) {
      for (const t of s.getAudioTracks()) {
        t.stop();
        t.dispatchEvent(new Event('ended'));
      }
    }
  });
  console.log(`unplugged at ${unpluggedAt.toFixed(2)} s (speech ${ref.speech[0]!.join('-')} s), on screen: "${heard}"`);

  const error = page.getByTestId('error');
  await expect(error.locator('[data-code="mic-lost"]')).toBeVisible({ timeout: 10_000 });
  await expect(error).toContainText('The microphone stopped');
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'idle', { timeout: 10_000 });
  // Nothing heard is lost: the utterance in flight was finalized, starting with the text shown at the unplug.
  await expect(page.getByTestId('partial')).toHaveCount(0);
  const lines = await finalTexts(page);
  expect(lines.length).toBe(1);
  expect(lines[0]!.startsWith(heard)).toBe(true);

  // A plugged-in microphone works again, without a reload.
  await page.getByTestId('mic-button').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'listening');
  await expect.poll(async () => (await finalTexts(page)).length, { timeout: ref.audioSeconds * 1000 + 15_000 }).toBeGreaterThan(1);
  await page.getByTestId('mic-button').click();
  await expect.poll(() => status(page), { timeout: 30_000 }).toBe('idle');
});

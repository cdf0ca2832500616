// Input variety in the browser's file path (WAV: the CLI's streaming reader -> the app's resampler and front end):
// what devices and users hand the app must give the 16 kHz copy's words, or a clear outcome where there is nothing to
// hear. The same matrix runs on the CLI in src/cli/transcribe.int.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { finalTexts, openApp } from './app';
import { cer } from './cer';

interface Outcome {
  text: string;
  result: string;
  ok: boolean;
  errors: string[];
}

/** Feeds one file and waits for the file input's own verdict on it (each case has its own file name). */
async function feed(page: Page, path: string): Promise<Outcome> {
  const before = (await finalTexts(page)).length;
  await page.getByTestId('file-input').setInputFiles(path);
  const result = page.getByTestId('file-result');
  await expect(result).toContainText(basename(path), { timeout: 60_000 });
  const errors = await page.getByTestId('error').locator('[data-code]').evaluateAll((els) =>
    els.map((e) => `${e.getAttribute('data-code')}: ${e.textContent ?? ''}`),
  );
  // A banner belongs to one case: dismiss them all so the next case starts clean.
  for (const close of await page.getByTestId('error').getByRole('button', { name: /dismiss/i }).all()) await close.click();
  return {
    text: (await finalTexts(page)).slice(before).join(' '),
    result: (await result.textContent()) ?? '',
    ok: (await result.getAttribute('data-ok')) === 'true',
    errors,
  };
}

test('input variety: every device rate, stereo, clipping, DC offset, silence, < 100 ms, empty, no samples, truncated', async ({ page }) => {
  test.setTimeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'omnisparse-inputs-'));
  const said = join(dir, 'said.wav');
  execFileSync('espeak-ng', ['-w', said, 'the quick brown fox jumps over the lazy dog']);
  const variant = (name: string, before: string[], after: string[]): string => {
    const out = join(dir, `${name}.wav`);
    execFileSync('sox', ['-V1', said, ...before, out, ...after]);
    return out;
  };
  await openApp(page);

  const ref = await feed(page, variant('r16000', [], ['rate', '16000']));
  expect(ref.ok).toBe(true);
  expect(ref.text.length).toBeGreaterThan(10);
  const rows: string[] = [];
  const cases: [string, string[], string[], number][] = [
    ['8 kHz', [], ['rate', '8000'], 0.5], // telephone band: everything above 4 kHz is gone
    ['22.05 kHz', [], [], 0.2],
    ['44.1 kHz', [], ['rate', '44100'], 0.2],
    ['48 kHz', [], ['rate', '48000'], 0.2],
    ['96 kHz', [], ['rate', '96000'], 0.2],
    ['48 kHz stereo', [], ['rate', '48000', 'channels', '2'], 0.2],
    ['clipped (x8)', [], ['rate', '16000', 'vol', '8'], 0.3],
    ['DC offset +0.3', [], ['rate', '16000', 'vol', '0.6', 'dcshift', '0.3'], 0.3],
  ];
  for (const [name, before, after, bound] of cases) {
    const o = await feed(page, variant(name.replace(/[^a-z0-9]/gi, '_'), before, after));
    const d = cer(ref.text, o.text);
    rows.push(`${name}: ${d.toFixed(3)} "${o.text}"`);
    expect(o.ok, `${name}: ${o.errors.join('; ')}`).toBe(true);
    expect(d, `${name}: "${o.text}" vs "${ref.text}"`).toBeLessThanOrEqual(bound);
  }

  // Nothing to hear: the file input says so instead of leaving the user waiting for lines.
  const silence = join(dir, 'silence.wav');
  execFileSync('sox', ['-V1', '-n', '-r', '48000', '-c', '2', silence, 'trim', '0', '3']);
  const quiet = await feed(page, silence);
  expect(quiet).toMatchObject({ ok: true, text: '', errors: [] });
  expect(quiet.result).toBe('No speech heard in silence.wav');
  const blip = join(dir, 'blip.wav');
  execFileSync('sox', ['-V1', said, blip, 'trim', '0.3', '0.05']);
  const short = await feed(page, blip);
  expect(short.ok).toBe(true);

  // Nothing at all: an empty file cannot be decoded; a well-formed WAV with no samples is named as such.
  const empty = join(dir, 'empty.wav');
  writeFileSync(empty, '');
  const none = await feed(page, empty);
  expect(none.ok).toBe(false);
  expect(none.errors.join(' ')).toMatch(/^decode-failed: Could not decode the audio file/);
  const hollowPath = join(dir, 'header-only.wav');
  execFileSync('sox', ['-V1', said, hollowPath, 'trim', '0', '0']);
  const hollow = await feed(page, hollowPath);
  expect(hollow.ok).toBe(false);
  expect(hollow.errors.join(' ')).toMatch(/^decode-failed: The file holds no audio/);

  // A WAV cut off mid-download: its header promises more than arrives. The fragment is transcribed, with a warning.
  const whole = readFileSync(variant('whole', [], ['rate', '16000']));
  const truncatedPath = join(dir, 'truncated.wav');
  writeFileSync(truncatedPath, whole.subarray(0, 44 + Math.floor((whole.length - 44) / 2 / 2) * 2));
  const truncated = await feed(page, truncatedPath);
  expect(truncated.ok).toBe(true);
  expect(truncated.text.length).toBeGreaterThan(0);
  expect(ref.text.startsWith(truncated.text.slice(0, 8))).toBe(true);
  expect(truncated.result).toMatch(/Warning: truncated WAV: the data chunk declares \d+ bytes \([\d.]+ s\) but the file ends after/);

  // ...and after all of it the app still transcribes a normal file.
  const again = await feed(page, join(dir, 'r16000.wav'));
  expect(again.text).toBe(ref.text);
  console.log(
    `[browser input variety] reference "${ref.text}"\n  ${rows.join('\n  ')}\n  silence: ${quiet.result}; 50 ms: "${short.text}" (${short.result})\n` +
      `  empty: ${none.errors.join('; ')}\n  no samples: ${hollow.errors.join('; ')}\n  truncated (half): "${truncated.text}" (${truncated.result})`,
  );
});

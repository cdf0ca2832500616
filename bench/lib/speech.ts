// The benchmark utterances: a ~6 s English phrase synthesized with espeak-ng (22.05 kHz, so the app's resampler is
// exercised as it is for a 44.1/48 kHz microphone), and a short flite clip for the app's fake microphone; both with
// known digital silence before the speech onset.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PHRASE = 'the quick brown fox jumps over the lazy dog, then five wizards box quickly near the old river mill';
export const LEAD_SECONDS = 1.0;
export const TAIL_SECONDS = 0.5;

export interface SynthesizedWav {
  path: string;
  text: string;
  /** seconds of silence before the speech starts */
  onsetSeconds: number;
}

/** Writes the phrase (padded with silence by sox) to a fresh temp folder; throws if espeak-ng or sox is missing. */
export function synthesizePhrase(dir = mkdtempSync(join(tmpdir(), 'omnisparse-bench-'))): SynthesizedWav {
  const raw = join(dir, 'phrase.raw.wav');
  const path = join(dir, 'phrase.wav');
  execFileSync('espeak-ng', ['-s', '150', '-w', raw, PHRASE], { stdio: ['ignore', 'ignore', 'pipe'] });
  execFileSync('sox', [raw, path, 'pad', String(LEAD_SECONDS), String(TAIL_SECONDS)], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { path, text: PHRASE, onsetSeconds: LEAD_SECONDS };
}

/**
 * The phrase with 1.5 s pauses, repeated by sox into one WAV of at least `minutes` (the hour benches). `rate`: resample
 * to it (16000 for the browser hour), or keep espeak-ng's 22.05 kHz so the resampler runs.
 */
export function longWav(dir: string, minutes: number, rate?: number): { path: string; unitSeconds: number } {
  const phrase = synthesizePhrase(dir);
  const unit = join(dir, 'unit.wav');
  execFileSync('sox', [phrase.path, ...(rate ? ['-r', String(rate), '-b', '16'] : []), unit, 'pad', '0', '1.5'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const unitSeconds = Number(execFileSync('soxi', ['-D', unit], { encoding: 'utf8' }).trim());
  const path = join(dir, 'long.wav');
  execFileSync('sox', [unit, path, 'repeat', String(Math.ceil((minutes * 60) / unitSeconds) - 1)], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { path, unitSeconds };
}

export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** The app first-token clip: short, and 16 kHz mono 16-bit so Chromium's fake microphone plays it as is. */
export const ONSET_PHRASE = 'please open the window';
export const ONSET_LEAD_SECONDS = 1.0;
export const ONSET_TAIL_SECONDS = 1.5;

export interface OnsetClip extends SynthesizedWav {
  seconds: number;
}

/**
 * flite's `slt` voice (held out of training, as in e2e); sox trims the voice's own leading near-silence (below 0.5 %
 * of full scale) so the speech starts exactly at the padded lead: the first non-zero sample IS the onset.
 */
export function synthesizeOnsetClip(dir = mkdtempSync(join(tmpdir(), 'omnisparse-ftl-'))): OnsetClip {
  const raw = join(dir, 'onset.raw.wav');
  const path = join(dir, 'onset.wav');
  execFileSync('flite', ['-voice', 'slt', '-t', ONSET_PHRASE, '-o', raw], { stdio: ['ignore', 'ignore', 'pipe'] });
  execFileSync('sox', [raw, '-r', '16000', '-c', '1', '-b', '16', path, 'silence', '1', '0.005', '0.5%', 'pad', String(ONSET_LEAD_SECONDS), String(ONSET_TAIL_SECONDS)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const seconds = Number(execFileSync('soxi', ['-D', path], { encoding: 'utf8' }).trim());
  return { path, text: ONSET_PHRASE, onsetSeconds: ONSET_LEAD_SECONDS, seconds };
}

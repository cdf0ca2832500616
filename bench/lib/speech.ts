// The benchmark utterance: a ~6 s English phrase synthesized with espeak-ng (22.05 kHz, so the app's resampler is
// exercised as it is for a 44.1/48 kHz microphone), with known digital silence before the speech onset.

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

export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

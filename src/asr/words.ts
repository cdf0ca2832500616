// Word timings from transducer emissions. A token is emitted at an encoder frame (40 ms); a word spans from the
// frame of its first character to the end of the frame of its last one.

import type { WordTiming } from './types';
import type { Emission } from './decoder';

export const ENCODER_FRAME_SECONDS = 0.04;

export function wordsFromEmissions(
  emissions: readonly Emission[],
  vocabulary: readonly string[],
  frameSeconds: number = ENCODER_FRAME_SECONDS,
): WordTiming[] {
  const words: WordTiming[] = [];
  let current = '';
  let startFrame = 0;
  let endFrame = 0;
  const close = (): void => {
    if (current.length > 0) {
      words.push({ word: current, start: round(startFrame * frameSeconds), end: round((endFrame + 1) * frameSeconds) });
    }
    current = '';
  };
  for (const e of emissions) {
    const piece = vocabulary[e.token] ?? '';
    if (/^\s+$/.test(piece)) {
      close();
      continue;
    }
    if (piece.length === 0) continue;
    if (current.length === 0) startFrame = e.frame;
    current += piece;
    endFrame = e.frame;
  }
  close();
  return words;
}

/** Millisecond resolution is all a 40 ms frame grid can justify; it also keeps JSON output short. */
function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

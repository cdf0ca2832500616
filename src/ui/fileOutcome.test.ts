import { describe, expect, it } from 'vitest';
import { fileOutcomeText } from './fileOutcome';

describe('fileOutcomeText', () => {
  it('counts the lines a file added, and says when it added none or failed', () => {
    expect(fileOutcomeText({ name: 'a.wav', lines: 3, ok: true, warnings: [] })).toBe('a.wav: 3 lines added');
    expect(fileOutcomeText({ name: 'a.wav', lines: 1, ok: true, warnings: [] })).toBe('a.wav: 1 line added');
    expect(fileOutcomeText({ name: 'quiet.wav', lines: 0, ok: true, warnings: [] })).toBe('No speech heard in quiet.wav');
    expect(fileOutcomeText({ name: 'x.mp3', lines: 0, ok: false, warnings: [] })).toMatch(/^x\.mp3 could not be transcribed/);
  });

  it('passes on what was wrong with a file it could still read', () => {
    expect(fileOutcomeText({ name: 'cut.wav', lines: 1, ok: true, warnings: ['WAV data chunk cut short'] })).toBe(
      'cut.wav: 1 line added. Warning: WAV data chunk cut short',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { wordsFromEmissions } from './words';

const vocab = ['<blank>', ' ', "'", ...'abcdefghijklmnopqrstuvwxyz'];
const tok = (c: string): number => vocab.indexOf(c);

describe('wordsFromEmissions', () => {
  it('times words from first to last character frame (40 ms frames)', () => {
    const em = [
      { token: tok('h'), frame: 5 },
      { token: tok('i'), frame: 6 },
      { token: tok(' '), frame: 9 },
      { token: tok('y'), frame: 12 },
      { token: tok('o'), frame: 12 },
      { token: tok('u'), frame: 14 },
    ];
    expect(wordsFromEmissions(em, vocab)).toEqual([
      { word: 'hi', start: 0.2, end: 0.28 },
      { word: 'you', start: 0.48, end: 0.6 },
    ]);
  });
  it('ignores leading/repeated spaces and returns nothing for no letters', () => {
    expect(wordsFromEmissions([{ token: tok(' '), frame: 1 }, { token: tok(' '), frame: 2 }], vocab)).toEqual([]);
    expect(wordsFromEmissions([{ token: tok(' '), frame: 0 }, { token: tok('a'), frame: 3 }], vocab)).toEqual([
      { word: 'a', start: 0.12, end: 0.16 },
    ]);
  });
});

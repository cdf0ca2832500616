import { describe, expect, it } from 'vitest';
import { transcriptText } from './transcriptText';

describe('transcriptText', () => {
  it('joins finals and the partial line by line', () => {
    const finals = [{ text: ' hello there ', words: [], level: 's0' }, { text: 'general', words: [], level: 's50' }];
    expect(transcriptText(finals, 'keno')).toBe('hello there\ngeneral\nkeno');
    expect(transcriptText(finals, '  ')).toBe('hello there\ngeneral');
    expect(transcriptText([], '')).toBe('');
  });
});

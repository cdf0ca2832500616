import { describe, expect, it } from 'vitest';
import { spacedInsertion } from './spacing';

describe('spacedInsertion', () => {
  it('inserts into an empty field as is', () => {
    expect(spacedInsertion('', '', ' hello world ')).toBe('hello world');
  });
  it('separates from the word before the caret, not from existing whitespace', () => {
    expect(spacedInsertion('Dear team,', '', 'hello')).toBe(' hello');
    expect(spacedInsertion('Dear team, ', '', 'hello')).toBe('hello');
    expect(spacedInsertion('line one\n', '', 'hello')).toBe('hello');
  });
  it('separates from the word after the caret but not from punctuation or whitespace', () => {
    expect(spacedInsertion('', 'world', 'hello')).toBe('hello ');
    expect(spacedInsertion('say', '.', 'hello')).toBe(' hello');
    expect(spacedInsertion('a ', ' b', 'x')).toBe('x');
  });
  it('inserts nothing for empty text', () => {
    expect(spacedInsertion('a', 'b', '   ')).toBe('');
  });
});

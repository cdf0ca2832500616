// Pure checks of the CER helper the other specs rely on (no browser needed).
import { expect, test } from '@playwright/test';
import { cer, editDistance, normalizeText } from './cer';

test('editDistance counts insertions, deletions and substitutions', () => {
  expect(editDistance('kitten', 'sitting')).toBe(3);
  expect(editDistance('', 'abc')).toBe(3);
  expect(editDistance('abc', 'abc')).toBe(0);
});

test('cer normalises case, punctuation and spaces', () => {
  expect(normalizeText('  Hello,   World! ')).toBe('hello world');
  expect(cer('hello world', 'HELLO  world')).toBe(0);
  expect(cer('abcd', 'abxd')).toBeCloseTo(0.25);
  expect(cer('', '')).toBe(0);
  expect(cer('', 'x')).toBe(1);
});

import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from './args';

describe('parseArgs', () => {
  it('parses files and options in any order', () => {
    expect(parseArgs(['a.wav', '--level', 's70', 'b.wav', '--json', '--manifest', 'm.json'])).toEqual({
      files: ['a.wav', 'b.wav'],
      level: 's70',
      manifest: 'm.json',
      json: true,
      threads: 1,
    });
  });
  it('rejects missing values, unknown options and no files', () => {
    expect(() => parseArgs(['a.wav', '--level'])).toThrow(UsageError);
    expect(() => parseArgs(['--bogus', 'a.wav'])).toThrow(/unknown option/);
    expect(() => parseArgs(['--json'])).toThrow(/no input files/);
    expect(() => parseArgs(['a.wav', '--threads', '0'])).toThrow(/threads/);
  });
});

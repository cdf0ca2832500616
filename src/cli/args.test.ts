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
      finalPass: 'none',
    });
  });
  it('takes the second pass by name', () => {
    expect(parseArgs(['a.wav', '--final-pass', 'whisper']).finalPass).toBe('whisper');
    expect(parseArgs(['--final-pass', 'transducer', 'a.wav']).finalPass).toBe('transducer');
    expect(parseArgs(['a.wav', '--final-pass', 'none']).finalPass).toBe('none');
    expect(() => parseArgs(['a.wav', '--final-pass', 'gpt'])).toThrow(/--final-pass must be one of none, transducer, whisper/);
    expect(() => parseArgs(['a.wav', '--final-pass'])).toThrow(/needs a value/);
    expect(() => parseArgs(['--help'])).toThrow(/--final-pass none\|transducer\|whisper/);
  });
  it('rejects missing values, unknown options and no files', () => {
    expect(() => parseArgs(['a.wav', '--level'])).toThrow(UsageError);
    expect(() => parseArgs(['--bogus', 'a.wav'])).toThrow(/unknown option/);
    expect(() => parseArgs(['--json'])).toThrow(/no input files/);
    expect(() => parseArgs(['a.wav', '--threads', '0'])).toThrow(/threads/);
  });
});

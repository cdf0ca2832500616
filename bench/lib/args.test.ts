import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchArgs, selectLevels } from './args';

describe('parseBenchArgs', () => {
  it('has the documented defaults', () => {
    const a = parseBenchArgs([]);
    expect(a).toMatchObject({ levels: null, runtimes: ['node', 'wasm'], runs: 5, warmup: 1, wav: null, child: false });
  });
  it('parses every flag', () => {
    const a = parseBenchArgs(['--levels', 's00, s90', '--runtime', 'wasm', '--runs', '3', '--wav', 'x.wav', '--warmup', '0']);
    expect(a.levels).toEqual(['s00', 's90']);
    expect(a.runtimes).toEqual(['wasm']);
    expect(a.runs).toBe(3);
    expect(a.warmup).toBe(0);
    expect(a.wav).toBe('x.wav');
    expect(parseBenchArgs(['--runtime', 'all']).runtimes).toEqual(['node', 'wasm']);
  });
  it('rejects bad input', () => {
    expect(() => parseBenchArgs(['--runs', '0'])).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['--runs', '1.5'])).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['--runtime', 'gpu'])).toThrow(/node, wasm or all/);
    expect(() => parseBenchArgs(['--levels'])).toThrow(/needs a value/);
    expect(() => parseBenchArgs(['--bogus'])).toThrow(/unknown option/);
  });
});

describe('selectLevels', () => {
  it('keeps manifest order and rejects unknown ids', () => {
    expect(selectLevels(['a', 'b', 'c'], null)).toEqual(['a', 'b', 'c']);
    expect(selectLevels(['a', 'b', 'c'], ['c', 'a'])).toEqual(['a', 'c']);
    expect(() => selectLevels(['a'], ['z'])).toThrow(/valid: a/);
  });
});

import { describe, expect, it } from 'vitest';
import { mergeDoc } from './results-file';

describe('mergeDoc', () => {
  it('replaces only the patched keys and keeps the rest', () => {
    const existing = JSON.stringify({ runtimes: [1], firstTokenApp: { date: 'old' } });
    expect(mergeDoc(existing, { firstTokenApp: { date: 'new' } })).toEqual({ runtimes: [1], firstTokenApp: { date: 'new' } });
  });
  it('starts from an empty document when the file is missing, broken or not an object', () => {
    expect(mergeDoc(null, { a: 1 })).toEqual({ a: 1 });
    expect(mergeDoc('{"a": ', { b: 2 })).toEqual({ b: 2 });
    expect(mergeDoc('[1, 2]', { b: 2 })).toEqual({ b: 2 });
  });
});

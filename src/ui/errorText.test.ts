import { describe, expect, it } from 'vitest';
import { errorText } from './errorText';

describe('errorText', () => {
  it('tells mic failures that files still work', () => {
    expect(errorText('mic-denied').hint).toMatch(/audio files/);
    expect(errorText('mic-missing').hint).toMatch(/audio files/);
  });
  it('has a title for every code', () => {
    for (const code of ['no-audioworklet', 'no-wasm', 'model-missing', 'model-corrupt', 'decode-failed', 'internal'] as const) {
      expect(errorText(code).title.length).toBeGreaterThan(5);
    }
  });
});

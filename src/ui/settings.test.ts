import { describe, expect, it } from 'vitest';
import { FINAL_PASS_KEY, finalPassLoadOptions, rememberFinalPass, rememberedFinalPass, type SettingsStorage } from './settings';

function memoryStorage(): SettingsStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('remembered final pass', () => {
  it('round-trips a choice and ignores what it does not know', () => {
    const s = memoryStorage();
    expect(rememberedFinalPass(s)).toBeUndefined();
    rememberFinalPass(s, 'transducer');
    expect(s.data.get(FINAL_PASS_KEY)).toBe('transducer');
    expect(rememberedFinalPass(s)).toBe('transducer');
    s.data.set(FINAL_PASS_KEY, 'beam-search');
    expect(rememberedFinalPass(s)).toBeUndefined();
  });
  it('survives a storage that is missing or throws', () => {
    const throwing: SettingsStorage = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    expect(rememberedFinalPass(throwing)).toBeUndefined();
    expect(() => rememberFinalPass(throwing, 'none')).not.toThrow();
    expect(rememberedFinalPass(null)).toBeUndefined();
  });
});

describe('finalPassLoadOptions', () => {
  it('makes ?final-pass= explicit, and the remembered choice or the default (whisper) a preference', () => {
    expect(finalPassLoadOptions('none', 'whisper')).toEqual({ finalPass: 'none' });
    expect(finalPassLoadOptions(undefined, 'transducer')).toEqual({ preferredFinalPass: 'transducer' });
    expect(finalPassLoadOptions(undefined, undefined)).toEqual({ preferredFinalPass: 'whisper' });
  });
});

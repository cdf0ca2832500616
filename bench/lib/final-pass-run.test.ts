import { describe, expect, it } from 'vitest';
import { fakeManifest, withFinalPass } from '../../src/store/fakeClient';
import { denseLevelId, runnablePasses } from './final-pass-run';

describe('runnablePasses', () => {
  const m = withFinalPass(fakeManifest(), { levels: ['s0'] });
  const full = () => Promise.reject(new Error('unused'));
  it('keeps what the level offers and the runtime can load', () => {
    expect(runnablePasses(m, 's0', { loadFullEncoder: full, loadWhisper: full })).toEqual(['none', 'transducer', 'whisper']);
    expect(runnablePasses(m, 's0', { loadFullEncoder: full })).toEqual(['none', 'transducer']);
    expect(runnablePasses(m, 's0', {})).toEqual(['none']);
    expect(runnablePasses(m, 's80', { loadFullEncoder: full, loadWhisper: full })).toEqual(['none']);
  });
});

describe('denseLevelId', () => {
  it('is the least sparse level', () => {
    expect(denseLevelId(fakeManifest([['s50', 0.5], ['s0', 0], ['s90', 0.9]]))).toBe('s0');
  });
});

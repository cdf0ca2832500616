import { describe, expect, it } from 'vitest';
import { fakeManifest, withFinalPass } from '../store/fakeClient';
import { initialData } from '../store/state';
import { dictationSnapshot } from './snapshot';

describe('dictationSnapshot', () => {
  it('is not ready before a manifest is loaded', () => {
    expect(dictationSnapshot(initialData())).toMatchObject({ ready: false, listening: false, text: '', error: null });
  });
  it('joins finals and the partial, and exposes the newest error', () => {
    const m = fakeManifest();
    const s = dictationSnapshot({
      ...initialData(),
      manifest: m,
      levels: m.levels,
      activeLevel: 's50',
      status: 'listening',
      finals: [{ text: 'hello ', words: [], level: 's50' }],
      partial: 'wor',
      errors: [{ id: 1, code: 'internal', message: 'a' }, { id: 2, code: 'mic-denied', message: 'b' }],
    });
    expect(s).toMatchObject({ ready: false, listening: true, text: 'hello wor', level: 's50', error: { code: 'mic-denied' } });
    expect(s.levels.map((l) => l.id)).toEqual(['s0', 's50', 's80']);
    expect(s).toMatchObject({ finalPass: 'none', finalPasses: ['none'] });
  });
  it('exposes the running second pass and what the running level offers', () => {
    const m = withFinalPass(fakeManifest(), { levels: ['s0'] });
    const s = dictationSnapshot({ ...initialData(), manifest: m, levels: m.levels, activeLevel: 's0', activeFinalPass: 'whisper' });
    expect(s).toMatchObject({ finalPass: 'whisper', finalPasses: ['none', 'transducer', 'whisper'] });
  });
});

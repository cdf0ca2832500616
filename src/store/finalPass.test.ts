import { describe, expect, it } from 'vitest';
import { fakeManifest, withFinalPass } from './fakeClient';
import { finalPassDownload, offeredFinalPasses, parseFinalPass, resolvePreferredFinalPass } from './finalPass';

describe('parseFinalPass', () => {
  it('accepts the three passes in any case and rejects the rest', () => {
    expect(parseFinalPass(' Whisper ')).toBe('whisper');
    expect(parseFinalPass('transducer')).toBe('transducer');
    expect(parseFinalPass('none')).toBe('none');
    expect(parseFinalPass('wisper')).toBeUndefined();
    expect(parseFinalPass(null)).toBeUndefined();
    expect(parseFinalPass('')).toBeUndefined();
  });
});

describe('resolvePreferredFinalPass', () => {
  it('keeps an offered preference and falls back to the streaming text otherwise', () => {
    expect(resolvePreferredFinalPass('whisper', ['none', 'transducer', 'whisper'])).toBe('whisper');
    expect(resolvePreferredFinalPass('whisper', ['none', 'transducer'])).toBe('none');
    expect(resolvePreferredFinalPass('transducer', ['none'])).toBe('none');
  });
});

describe('offeredFinalPasses', () => {
  it('is none alone without a manifest or a second pass, and follows the level', () => {
    expect(offeredFinalPasses(null, null)).toEqual(['none']);
    expect(offeredFinalPasses(fakeManifest(), 's0')).toEqual(['none']);
    const m = withFinalPass(fakeManifest(), { levels: ['s0'] });
    expect(offeredFinalPasses(m, 's0')).toEqual(['none', 'transducer', 'whisper']);
    expect(offeredFinalPasses(m, 's80')).toEqual(['none']);
    expect(offeredFinalPasses(withFinalPass(fakeManifest(), { whisper: false }), null)).toEqual(['none', 'transducer']);
  });
});

describe('finalPassDownload', () => {
  const m = withFinalPass(fakeManifest(), { levels: ['s0'] });
  it('is the level encoderFull (gzip) for the transducer, plus Whisper decoder for whisper', () => {
    expect(finalPassDownload(m, 's0', 'transducer')).toEqual({ bytes: 7_500_000, gzip: true, whisperBytes: 0 });
    expect(finalPassDownload(m, 's0', 'whisper')).toEqual({ bytes: 28_500_000, gzip: true, whisperBytes: 21_000_000 });
  });
  it('is null for none and for a pass the level lacks', () => {
    expect(finalPassDownload(m, 's0', 'none')).toBeNull();
    expect(finalPassDownload(m, 's80', 'whisper')).toBeNull();
  });
  it('falls back to the raw encoderFull size when the manifest has no gzip size for it', () => {
    const level = m.levels[0]!;
    const raw = { ...m, levels: [{ ...level, bytes: { raw: level.bytes.raw, gzip: level.bytes.gzip } }, ...m.levels.slice(1)] };
    expect(finalPassDownload(raw, 's0', 'transducer')).toEqual({ bytes: 9_000_000, gzip: false, whisperBytes: 0 });
  });
});

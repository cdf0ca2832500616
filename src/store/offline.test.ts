import { describe, expect, it } from 'vitest';
import { fakeManifest, withFinalPass } from './fakeClient';
import { isCached, offlineFiles, offlineState, type OfflineFile, type OfflineInputs } from './offline';

const MANIFEST_URL = 'https://app.example/models/manifest.json';
const manifest = withFinalPass(fakeManifest(), { levels: ['s50'] });
const SHA = '0'.repeat(64);

describe('offlineFiles', () => {
  it('is the manifest and the three streaming files of the running level, by absolute URL', () => {
    expect(offlineFiles(manifest, MANIFEST_URL, 's0', 'none')).toEqual([
      { url: MANIFEST_URL, sha256: null },
      { url: 'https://app.example/models/levels/s0/encoder.onnx', sha256: SHA },
      { url: 'https://app.example/models/levels/s0/predictor.onnx', sha256: SHA },
      { url: 'https://app.example/models/levels/s0/joiner.onnx', sha256: SHA },
    ]);
  });
  it('adds the active second pass: the full-context encoder, and Whisper’s files for whisper', () => {
    const urls = (pass: 'transducer' | 'whisper') => offlineFiles(manifest, MANIFEST_URL, 's50', pass).map((f) => f.url.replace('https://app.example/models/', ''));
    expect(urls('transducer')).toEqual(['manifest.json', 'levels/s50/encoder.onnx', 'levels/s50/predictor.onnx', 'levels/s50/joiner.onnx', 'levels/s50/encoder_full.onnx']);
    expect(urls('whisper').slice(5)).toEqual(['whisper/cross.onnx', 'whisper/decoder.onnx', 'whisper/tokens.json']);
  });
  it('an unknown level needs nothing (no level runs)', () => {
    expect(offlineFiles(manifest, MANIFEST_URL, 'nope', 'none')).toEqual([]);
  });
});

describe('isCached', () => {
  const model: OfflineFile = { url: 'u', sha256: 'a'.repeat(64) };
  it('needs the copy the manifest names: a copy of an older export does not count', () => {
    expect(isCached(model, new Map([['u', 'a'.repeat(64)]]))).toBe(true);
    expect(isCached(model, new Map([['u', 'b'.repeat(64)]]))).toBe(false);
    expect(isCached(model, new Map())).toBe(false);
  });
  it('any copy of the manifest will do', () => {
    expect(isCached({ url: 'm', sha256: null }, new Map([['m', '']]))).toBe(true);
  });
});

describe('offlineState', () => {
  const files = offlineFiles(manifest, MANIFEST_URL, 's0', 'none');
  const all = new Map(files.map((f) => [f.url, f.sha256 ?? '']));
  const base: OfflineInputs = { registered: true, controlled: true, files, cached: all, stored: true };

  it('is ready only when a worker controls the page and every file of the level is cached', () => {
    expect(offlineState(base)).toBe('ready');
    expect(offlineState({ ...base, controlled: false })).toBe('saving');
  });
  it('is off without a service worker (dev server, tests)', () => {
    expect(offlineState({ ...base, registered: false })).toBe('off');
  });
  it('is saving while no level is loaded or files are still being stored', () => {
    expect(offlineState({ ...base, files: null })).toBe('saving');
    const oneMissing = new Map(all);
    oneMissing.delete(files[1]!.url);
    expect(offlineState({ ...base, cached: oneMissing, stored: false })).toBe('saving');
    expect(offlineState({ ...base, cached: oneMissing, stored: true })).toBe('incomplete');
  });
});

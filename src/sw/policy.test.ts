import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cacheKey,
  isKeepMessage,
  KEEP_MESSAGE,
  looksLikeManifest,
  matchesExpected,
  modelFilesIn,
  navigationKey,
  routeOf,
} from './policy';

const SCOPE = 'https://app.example/omni/';
const route = (path: string, mode = 'cors', method = 'GET') => routeOf(new URL(path, SCOPE).href, SCOPE, method, mode);

describe('routeOf', () => {
  it('sorts the app’s own requests', () => {
    expect(route('./?final-pass=none', 'navigate')).toBe('page');
    expect(route('examples/react.html', 'navigate')).toBe('page');
    expect(route('models/manifest.json')).toBe('manifest');
    expect(route('models/levels/s00/encoder.onnx')).toBe('model');
    expect(route('models/whisper/tokens.json')).toBe('model');
    expect(route('assets/worker-BLxkByol.js')).toBe('asset');
    expect(route('assets/ort-wasm-simd-threaded.jsep-MDYUKy93.wasm')).toBe('asset');
  });
  it('leaves other origins, other folders and non-GET requests to the network', () => {
    expect(routeOf('https://cdn.example/omni/assets/x.js', SCOPE, 'GET', 'cors')).toBe('network');
    expect(routeOf('https://app.example/other/assets/x.js', SCOPE, 'GET', 'cors')).toBe('network');
    expect(routeOf('https://app.example/', SCOPE, 'GET', 'navigate')).toBe('network');
    expect(route('models/levels/s00/encoder.onnx', 'cors', 'POST')).toBe('network');
    expect(route('favicon.ico')).toBe('network');
  });
});

describe('cache keys', () => {
  it('ignore the query, and a folder is its index.html', () => {
    expect(cacheKey('https://app.example/omni/models/manifest.json?x=1#y')).toBe('https://app.example/omni/models/manifest.json');
    expect(navigationKey('https://app.example/omni/?final-pass=none')).toBe('https://app.example/omni/index.html');
    expect(navigationKey('https://app.example/omni/index.html?embed=1')).toBe('https://app.example/omni/index.html');
  });
});

describe('modelFilesIn', () => {
  const manifestUrl = 'https://app.example/omni/models/manifest.json';
  it('finds every file of the shipped manifest (levels and the second pass) with its hash and size', () => {
    const json = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../models/manifest.json'), 'utf8')) as {
      levels: { files: Record<string, { path: string; sha256: string; bytes: number }> }[];
      finalPass?: { whisper?: Record<string, unknown> };
    };
    const files = modelFilesIn(json, manifestUrl);
    const expected = json.levels.flatMap((l) => Object.values(l.files));
    for (const f of expected) {
      expect(files.get(new URL(f.path, manifestUrl).href)).toEqual({ sha256: f.sha256.toLowerCase(), bytes: f.bytes });
    }
    // levels may share a file (v2.2: one Whisper encoder_full for every level): one cache entry per file
    const whisper = json.finalPass?.whisper ? 3 : 0;
    expect(files.size).toBe(new Set(expected.map((f) => f.path)).size + whisper);
  });
  it('skips entries that are not files (bad hash, no size) and survives any JSON', () => {
    const files = modelFilesIn({ levels: [{ files: { a: { path: 'a.onnx', sha256: 'xyz', bytes: 1 }, b: { path: 'b.onnx', sha256: 'a'.repeat(64) } } }] }, manifestUrl);
    expect(files.size).toBe(0);
    expect(modelFilesIn(null, manifestUrl).size).toBe(0);
    expect(modelFilesIn('text', manifestUrl).size).toBe(0);
  });
});

describe('looksLikeManifest', () => {
  it('keeps a manifest with files, never a broken one (the last good copy stays for offline use)', () => {
    expect(looksLikeManifest(readFileSync(resolve(import.meta.dirname, '../../models/manifest.json'), 'utf8'))).toBe(true);
    expect(looksLikeManifest('{"formatVersion": 2, "levels": [')).toBe(false);
    expect(looksLikeManifest('{"formatVersion": 2, "levels": []}')).toBe(false);
    expect(looksLikeManifest('<!doctype html><html></html>')).toBe(false);
  });
});

describe('matchesExpected', () => {
  const expected = { sha256: 'ab'.repeat(32), bytes: 10 };
  it('needs both the size and the hash', () => {
    expect(matchesExpected(expected, 10, 'AB'.repeat(32))).toBe(true);
    expect(matchesExpected(expected, 9, 'ab'.repeat(32))).toBe(false);
    expect(matchesExpected(expected, 10, 'cd'.repeat(32))).toBe(false);
  });
});

describe('isKeepMessage', () => {
  it('accepts only the page’s keep request', () => {
    expect(isKeepMessage({ type: KEEP_MESSAGE, urls: ['a'] })).toBe(true);
    expect(isKeepMessage({ type: KEEP_MESSAGE, urls: [1] })).toBe(false);
    expect(isKeepMessage({ type: 'other', urls: [] })).toBe(false);
    expect(isKeepMessage(null)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { manifestUrlFor, parseBackend, parseLevel, wasmPathsFor } from './options';

describe('manifestUrlFor', () => {
  it('appends manifest.json to a folder, with or without the trailing slash', () => {
    expect(manifestUrlFor('https://cdn.example/models/')).toBe('https://cdn.example/models/manifest.json');
    expect(manifestUrlFor('/static/asr')).toBe('/static/asr/manifest.json');
  });
  it('keeps an explicit manifest URL, query included', () => {
    expect(manifestUrlFor('../m/manifest.json?v=3')).toBe('../m/manifest.json?v=3');
  });
  it('defaults to models/ next to the page', () => {
    expect(manifestUrlFor(undefined)).toBe('models/manifest.json');
    expect(manifestUrlFor('  ')).toBe('models/manifest.json');
  });
});

describe('wasmPathsFor', () => {
  it("appends onnxruntime's file names to a base folder", () => {
    expect(wasmPathsFor('/ort')).toEqual({
      mjs: '/ort/ort-wasm-simd-threaded.jsep.mjs',
      wasm: '/ort/ort-wasm-simd-threaded.jsep.wasm',
    });
  });
  it('passes explicit paths through', () => {
    const paths = { mjs: '/a.mjs', wasm: '/b.wasm' };
    expect(wasmPathsFor(paths)).toBe(paths);
  });
});

describe('parseLevel', () => {
  it("recognizes 'auto' in any case", () => {
    expect(parseLevel('Auto')).toEqual({ auto: true, level: undefined });
  });
  it('passes level ids through and treats empty as the default level', () => {
    expect(parseLevel('s50')).toEqual({ auto: false, level: 's50' });
    expect(parseLevel(null)).toEqual({ auto: false, level: undefined });
    expect(parseLevel('')).toEqual({ auto: false, level: undefined });
  });
});

describe('parseBackend', () => {
  it('accepts the four choices and falls back to auto', () => {
    expect(parseBackend('WASM')).toBe('wasm');
    expect(parseBackend('wasm-threaded')).toBe('wasm-threaded');
    expect(parseBackend('cuda')).toBe('auto');
    expect(parseBackend(null)).toBe('auto');
  });
});

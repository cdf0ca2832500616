import { describe, expect, it } from 'vitest';
import { DEFAULT_MANIFEST, parseAppParams } from './urlParams';

const page = 'http://localhost:4173/index.html';

describe('parseAppParams', () => {
  it('defaults', () => {
    expect(parseAppParams('', page)).toEqual({ manifestUrl: DEFAULT_MANIFEST, backend: 'auto', embed: false });
  });
  it('reads backend and level', () => {
    expect(parseAppParams('?backend=webgpu&level=s80', page)).toEqual({
      manifestUrl: DEFAULT_MANIFEST, backend: 'webgpu', level: 's80', embed: false,
    });
  });
  it('reads the embed flag', () => {
    expect(parseAppParams('?embed=1', page).embed).toBe(true);
    expect(parseAppParams('?embed=0', page).embed).toBe(false);
  });
  it('reads an explicit second pass and ignores unknown ones', () => {
    expect(parseAppParams('?final-pass=whisper', page).finalPass).toBe('whisper');
    expect(parseAppParams('?final-pass=None', page).finalPass).toBe('none');
    expect(parseAppParams('?final-pass=beam', page)).not.toHaveProperty('finalPass');
  });
  it('ignores unknown backends', () => {
    expect(parseAppParams('?backend=cuda', page).backend).toBe('auto');
  });
  it('accepts same-origin manifests only', () => {
    expect(parseAppParams('?manifest=/other/manifest.json', page).manifestUrl).toBe('/other/manifest.json');
    expect(parseAppParams('?manifest=https://evil.example/m.json', page).manifestUrl).toBe(DEFAULT_MANIFEST);
    expect(parseAppParams('?manifest=//evil.example/m.json', page).manifestUrl).toBe(DEFAULT_MANIFEST);
  });
});

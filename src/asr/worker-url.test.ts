import { describe, expect, it } from 'vitest';
import { absoluteUrl, workerSource } from './worker-url';

describe('workerSource', () => {
  const page = 'https://app.example/notes/edit.html';
  it('starts a same-origin worker from its URL, made absolute', () => {
    expect(workerSource('/lib/assets/worker.js', page)).toEqual({ kind: 'url', url: 'https://app.example/lib/assets/worker.js' });
  });
  it('wraps a cross-origin worker script in a same-origin module that imports it', () => {
    const src = workerSource('https://cdn.example/omnisparse/assets/worker.js', page);
    expect(src).toEqual({ kind: 'shim', code: 'import "https://cdn.example/omnisparse/assets/worker.js";' });
  });
  it('needs no page URL for an absolute worker URL (no document, e.g. tests)', () => {
    expect(workerSource('https://a.example/w.js', undefined)).toEqual({ kind: 'url', url: 'https://a.example/w.js' });
  });
});

describe('absoluteUrl', () => {
  it('resolves against the page, not the worker', () => {
    expect(absoluteUrl('../ort/x.wasm', 'https://a.example/app/index.html')).toBe('https://a.example/ort/x.wasm');
  });
});

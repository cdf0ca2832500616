import { describe, expect, it } from 'vitest';
import { pickBackend, threadsPossible, wasmThreads } from './backend-choice';

describe('pickBackend', () => {
  const isolated = { isolated: true, cores: 8, webgpu: false };
  const plain = { isolated: false, cores: 8, webgpu: false };
  it('keeps explicit single-thread and WebGPU choices, WebGPU only where an adapter was granted', () => {
    expect(pickBackend('wasm', isolated)).toBe('wasm');
    expect(pickBackend('webgpu', { ...plain, webgpu: true })).toBe('webgpu');
    expect(pickBackend('webgpu', plain)).toBe('wasm');
    expect(pickBackend('webgpu', isolated)).toBe('wasm-threaded');
  });
  it('runs wasm-threaded only on a cross-origin isolated page', () => {
    expect(pickBackend('wasm-threaded', isolated)).toBe('wasm-threaded');
    expect(pickBackend('wasm-threaded', plain)).toBe('wasm');
  });
  it('auto: WebGPU first, then threads when isolated with several cores, else one thread', () => {
    expect(pickBackend('auto', { ...plain, webgpu: true })).toBe('webgpu');
    expect(pickBackend('auto', isolated)).toBe('wasm-threaded');
    expect(pickBackend('auto', { ...isolated, cores: 1 })).toBe('wasm');
    expect(pickBackend('auto', plain)).toBe('wasm');
  });
});

describe('wasmThreads', () => {
  it('is 1 without isolation and at most 4 with it', () => {
    expect(wasmThreads(false, 16)).toBe(1);
    expect(wasmThreads(true, 16)).toBe(4);
    expect(wasmThreads(true, undefined)).toBe(1);
  });
});

describe('threadsPossible', () => {
  it('needs isolation and the runtime on the worker\'s origin', () => {
    expect(threadsPossible(false, 'https://a.example/ort/x.mjs', 'https://a.example')).toBe(false);
    expect(threadsPossible(true, 'https://a.example/ort/x.mjs', 'https://a.example')).toBe(true);
    expect(threadsPossible(true, 'https://cdn.example/ort/x.mjs', 'https://a.example')).toBe(false);
    expect(threadsPossible(true, undefined, 'https://a.example')).toBe(true);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeClient } from './fakeClient';
import { createRecognizerStore } from './store';
import { retainStore } from './useRecognizer';

describe('retainStore', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('survives a StrictMode-style release + immediate re-retain', () => {
    const client = new FakeClient();
    const store = createRecognizerStore(client);
    const release1 = retainStore(store);
    release1();
    const release2 = retainStore(store);
    vi.runAllTimers();
    expect(client.disposed).toBe(false);
    release2();
    release2(); // idempotent
    vi.runAllTimers();
    expect(client.disposed).toBe(true);
  });

  it('disposes once the last user releases', () => {
    const client = new FakeClient();
    const store = createRecognizerStore(client);
    const a = retainStore(store);
    const b = retainStore(store);
    a();
    vi.runAllTimers();
    expect(client.disposed).toBe(false);
    b();
    vi.runAllTimers();
    expect(client.disposed).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { fakeManifest } from '../store/fakeClient';
import { initialData } from '../store/state';
import { widgetView } from './view';

const base = { ...initialData(), manifest: fakeManifest() };

describe('widgetView', () => {
  it('shows loading and disables the button before the manifest arrives', () => {
    const v = widgetView(initialData());
    expect(v.buttonDisabled).toBe(true);
    expect(v.note).toMatch(/Loading/);
  });
  it('joins finals into one paragraph and keeps the partial separate', () => {
    const v = widgetView({
      ...base,
      status: 'listening',
      finals: [{ text: 'hello', words: [], level: 's50' }, { text: 'world ', words: [], level: 's50' }],
      partial: 'agai',
    });
    expect(v).toMatchObject({ finalText: 'hello world', partial: 'agai', listening: true, buttonDisabled: false });
    expect(v.buttonLabel).toBe('Stop dictation');
  });
  it('surfaces the newest error as a readable note', () => {
    const v = widgetView({ ...base, errors: [{ id: 1, code: 'mic-denied', message: 'x' }] });
    expect(v.isError).toBe(true);
    expect(v.note).toBe('Microphone access was denied');
    expect(v.buttonDisabled).toBe(false);
  });
});

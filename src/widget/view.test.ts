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

describe('widgetView with a target field', () => {
  const lines = [{ text: 'first line', words: [], level: 's50' }, { text: 'second', words: [], level: 's50' }];
  it('shows only the latest final (the field has them all)', () => {
    expect(widgetView({ ...base, finals: lines }, { intoField: true }).finalText).toBe('second');
    expect(widgetView({ ...base, finals: lines }).finalText).toBe('first line second');
  });
  it("names the button after the field's label", () => {
    expect(widgetView(base, { fieldName: 'Notes' }).buttonLabel).toBe('Start dictation into Notes');
    expect(widgetView({ ...base, status: 'listening' }, { fieldName: 'Notes' }).buttonLabel).toBe('Stop dictation into Notes');
  });
  it('says when a file is being transcribed', () => {
    expect(widgetView({ ...base, status: 'file' }).note).toBe('Transcribing file…');
  });
});

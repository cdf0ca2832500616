// The embeddable dictation widget: a mic button and a transcript, rendered with plain DOM (no React needed on the
// host page) from the same zustand store the app uses.
import type { BackendChoice, RecognizerClient } from '../asr/types';
import { createRecognizerStore, type RecognizerStore } from '../store/store';
import { injectWidgetStyles } from './styles';
import { widgetView, type WidgetView } from './view';

export interface WidgetOptions {
  manifestUrl: string;
  level?: string;
  backend?: BackendChoice;
  /** called with each new final line, e.g. to fill a form field */
  onFinal?: (text: string) => void;
}

export interface WidgetHandle {
  readonly store: RecognizerStore;
  /** stops the microphone, disposes the recognizer and removes the widget's DOM */
  unmount(): void;
}

function build(doc: Document) {
  const root = doc.createElement('div');
  root.className = 'omnisparse-widget';
  root.dataset.testid = 'omnisparse-widget';
  const row = doc.createElement('div');
  row.className = 'osw-row';
  const button = doc.createElement('button');
  button.type = 'button';
  button.className = 'osw-mic';
  button.dataset.testid = 'mic-button';
  const note = doc.createElement('span');
  note.className = 'osw-note';
  note.setAttribute('role', 'status');
  const text = doc.createElement('p');
  text.className = 'osw-text';
  text.dataset.testid = 'transcript';
  text.setAttribute('aria-live', 'polite');
  const finals = doc.createElement('span');
  const partial = doc.createElement('span');
  partial.className = 'osw-partial';
  partial.dataset.testid = 'partial';
  text.append(finals, partial);
  row.append(button, note);
  root.append(row, text);
  return { root, button, note, finals, partial };
}

type Parts = ReturnType<typeof build>;

function render(p: Parts, v: WidgetView): void {
  p.button.textContent = v.listening ? '■ Stop' : '● Dictate';
  p.button.setAttribute('aria-label', v.buttonLabel);
  p.button.setAttribute('aria-pressed', String(v.listening));
  p.button.disabled = v.buttonDisabled;
  p.note.textContent = v.note;
  p.note.classList.toggle('osw-error', v.isError);
  p.finals.textContent = v.finalText;
  p.partial.textContent = v.partial === '' ? '' : `${v.finalText === '' ? '' : ' '}${v.partial}`;
}

export function mountWidget(element: HTMLElement, opts: WidgetOptions, client: RecognizerClient): WidgetHandle {
  const doc = element.ownerDocument;
  injectWidgetStyles(doc);
  const parts = build(doc);
  element.append(parts.root);
  const store = createRecognizerStore(client, opts.backend ?? 'auto');
  parts.button.addEventListener('click', () => void store.getState().toggleMic());
  let seenFinals = 0;
  const unsubscribe = store.subscribe((s) => {
    render(parts, widgetView(s));
    for (; seenFinals < s.finals.length; seenFinals++) opts.onFinal?.(s.finals[seenFinals]!.text);
  });
  render(parts, widgetView(store.getState()));
  void store.getState().load(opts.manifestUrl, { level: opts.level, backend: opts.backend });
  return {
    store,
    unmount() {
      unsubscribe();
      const s = store.getState();
      if (s.status === 'listening') void s.stopMic().finally(() => s.dispose());
      else s.dispose();
      parts.root.remove();
    },
  };
}

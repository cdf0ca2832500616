// The widget's DOM inside the element's shadow root: built once, then re-rendered from a WidgetView (view.ts).
import type { WidgetView } from './view';

export interface WidgetParts {
  root: HTMLDivElement;
  button: HTMLButtonElement;
  note: HTMLSpanElement;
  finals: HTMLSpanElement;
  partial: HTMLSpanElement;
}

export function buildWidget(doc: Document): WidgetParts {
  const root = doc.createElement('div');
  root.className = 'omnisparse-widget';
  root.dataset.testid = 'omnisparse-widget';
  const row = doc.createElement('div');
  row.className = 'osw-row';
  const button = doc.createElement('button');
  button.type = 'button';
  button.className = 'osw-mic';
  button.dataset.testid = 'mic-button';
  button.setAttribute('part', 'button');
  const note = doc.createElement('span');
  note.className = 'osw-note';
  note.setAttribute('role', 'status');
  note.setAttribute('part', 'note');
  note.dataset.testid = 'note';
  const text = doc.createElement('p');
  text.className = 'osw-text';
  text.dataset.testid = 'transcript';
  text.setAttribute('part', 'transcript');
  // Only finished lines are announced: a partial rewrites itself several times a second, which a screen reader would
  // read out as a stutter, so it is hidden from assistive technology.
  text.setAttribute('aria-live', 'polite');
  const finals = doc.createElement('span');
  const partial = doc.createElement('span');
  partial.className = 'osw-partial';
  partial.dataset.testid = 'partial';
  partial.setAttribute('aria-hidden', 'true');
  text.append(finals, partial);
  row.append(button, note);
  root.append(row, text);
  return { root, button, note, finals, partial };
}

export function renderWidget(p: WidgetParts, v: WidgetView): void {
  p.button.textContent = v.listening ? '■ Stop' : '● Dictate';
  p.button.setAttribute('aria-label', v.buttonLabel);
  p.button.setAttribute('aria-pressed', String(v.listening));
  p.button.disabled = v.buttonDisabled;
  p.note.textContent = v.note;
  p.note.classList.toggle('osw-error', v.isError);
  p.finals.textContent = v.finalText;
  p.partial.textContent = v.partial === '' ? '' : `${v.finalText === '' ? '' : ' '}${v.partial}`;
}

// mountOmnisparse's implementation, kept for pages that mount from JavaScript: a thin wrapper that appends an
// <omnisparse-dictation> driven by the given recognizer, so both paths are one widget.
import type { BackendChoice, FinalPassKind } from '../asr/types';
import type { OmnisparseRecognizer } from '../lib/recognizer';
import type { RecognizerStore } from '../store/store';
import { defineOmnisparseDictation, DICTATION_TAG, type OmnisparseDictationElement } from './element';

export interface WidgetOptions {
  manifestUrl: string;
  /** a level id, or 'auto' */
  level?: string;
  backend?: BackendChoice;
  /** the second pass writing each final line (default 'none'); see the element's `final-pass` attribute */
  finalPass?: FinalPassKind;
  /** called with each new final line, e.g. to fill a form field (or use the element's `for` attribute) */
  onFinal?: (text: string) => void;
}

export interface WidgetHandle {
  readonly store: RecognizerStore;
  readonly element: OmnisparseDictationElement;
  /** stops the microphone, disposes the recognizer and removes the widget's DOM */
  unmount(): void;
}

export function mountWidget(host: HTMLElement, opts: WidgetOptions, recognizer: OmnisparseRecognizer): WidgetHandle {
  defineOmnisparseDictation(host.ownerDocument.defaultView?.customElements);
  const element = host.ownerDocument.createElement(DICTATION_TAG);
  // Reflects the recognizer's pass on the element (its attributeChangedCallback does nothing before `recognizer`).
  if (opts.finalPass) element.setAttribute('final-pass', opts.finalPass);
  element.recognizer = recognizer;
  const off = opts.onFinal ? recognizer.on('final', ({ text }) => opts.onFinal?.(text)) : () => {};
  host.append(element);
  return {
    store: recognizer.store,
    element,
    unmount() {
      off();
      element.remove();
      recognizer.dispose();
    },
  };
}

// Dictating into the page's own <input>/<textarea>: each final line goes in at the caret (replacing a selection), as
// if typed, so a user can click into the middle of their text and dictate there.
import { spacedInsertion } from './spacing';

export type TextField = HTMLInputElement | HTMLTextAreaElement;

/** The field a `for` attribute names: looked up in the element's own tree first (it may live in a shadow root). */
export function findField(host: Element, id: string | null): TextField | null {
  if (!id) return null;
  const root = host.getRootNode() as Document | ShadowRoot;
  const found = root.getElementById?.(id) ?? host.ownerDocument.getElementById(id);
  const isField = found?.localName === 'textarea' || found?.localName === 'input';
  return isField ? (found as TextField) : null;
}

/**
 * setRangeText, not `value =`: it keeps the browser's selection bookkeeping, and frameworks that track `value` (React's
 * controlled inputs) see the following 'input' event as a real edit. Inputs without a caret (type=email, number)
 * refuse it, so those get the text appended.
 */
export function insertAtCaret(field: TextField, text: string): void {
  const value = field.value;
  let start = value.length;
  let end = value.length;
  try {
    start = field.selectionStart ?? value.length;
    end = field.selectionEnd ?? start;
  } catch {
    // no selection API on this input type: append
  }
  const insertion = spacedInsertion(value.slice(0, start), value.slice(end), text);
  if (insertion === '') return;
  try {
    field.setRangeText(insertion, start, end, 'end');
  } catch {
    field.value = value.slice(0, start) + insertion + value.slice(end);
  }
  field.dispatchEvent(new Event('input', { bubbles: true }));
}

/** The field's visible label, to name the dictation button after it ("Start dictation into Notes"). */
export function fieldName(field: TextField | null): string | null {
  if (!field) return null;
  const aria = field.getAttribute('aria-label')?.trim();
  if (aria) return aria;
  const label = field.labels?.[0]?.textContent?.trim();
  return label || null;
}

// The widget's CSS, scoped by the element's shadow root (host pages can neither break it nor be broken by it). It is
// adopted as a constructed stylesheet, not a <style> element: a strict CSP (style-src without 'unsafe-inline') blocks
// inline <style> but not constructed sheets. Hosts restyle through the custom properties and ::part(button).
export const WIDGET_CSS = `
:host { display: block; --osw-accent: #3355ff; --osw-stop: #c62828; --osw-muted: #667085; }
:host([hidden]) { display: none; }
.omnisparse-widget { font: 15px/1.5 system-ui, sans-serif; color: #1c2430; border: 1px solid #e3e6eb; border-radius: 12px; padding: 12px; background: #fff; display: flex; flex-direction: column; gap: 8px; }
.osw-row { display: flex; align-items: center; gap: 10px; }
.osw-mic { border: none; border-radius: 999px; padding: 8px 18px; background: var(--osw-accent); color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
.osw-mic:focus-visible { outline: 3px solid var(--osw-accent); outline-offset: 2px; }
.osw-mic[aria-pressed="true"] { background: var(--osw-stop); }
.osw-mic:disabled { opacity: .5; cursor: not-allowed; }
.osw-note { font-size: 13px; color: var(--osw-muted); }
.osw-note.osw-error { color: var(--osw-stop); }
.osw-text { min-height: 1.5em; margin: 0; white-space: pre-wrap; }
.osw-partial { color: var(--osw-muted); font-style: italic; }
`;

/** One constructed sheet per document: a sheet can only be adopted by roots of the document that constructed it. */
const sheets = new WeakMap<Document, CSSStyleSheet>();

export function adoptWidgetStyles(root: ShadowRoot): void {
  const doc = root.ownerDocument;
  const win = doc.defaultView;
  if (win && 'adoptedStyleSheets' in root && typeof win.CSSStyleSheet.prototype.replaceSync === 'function') {
    let sheet = sheets.get(doc);
    if (!sheet) {
      sheet = new win.CSSStyleSheet();
      sheet.replaceSync(WIDGET_CSS);
      sheets.set(doc, sheet);
    }
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return;
  }
  // Older engines: an inline <style> (works everywhere but under a strict style-src).
  const style = doc.createElement('style');
  style.textContent = WIDGET_CSS;
  root.prepend(style);
}

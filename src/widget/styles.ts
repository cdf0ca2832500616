// The widget's CSS, injected once per document. Every selector is under .omnisparse-widget so host pages are safe.
export const WIDGET_CSS = `
.omnisparse-widget { font: 15px/1.5 system-ui, sans-serif; color: #1c2430; border: 1px solid #e3e6eb; border-radius: 12px; padding: 12px; background: #fff; display: flex; flex-direction: column; gap: 8px; }
.omnisparse-widget .osw-row { display: flex; align-items: center; gap: 10px; }
.omnisparse-widget .osw-mic { border: none; border-radius: 999px; padding: 8px 18px; background: #3355ff; color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
.omnisparse-widget .osw-mic[aria-pressed="true"] { background: #c62828; }
.omnisparse-widget .osw-mic:disabled { opacity: .5; cursor: not-allowed; }
.omnisparse-widget .osw-note { font-size: 13px; color: #667085; }
.omnisparse-widget .osw-note.osw-error { color: #c62828; }
.omnisparse-widget .osw-text { min-height: 3em; margin: 0; white-space: pre-wrap; }
.omnisparse-widget .osw-partial { color: #667085; font-style: italic; }
`;

export function injectWidgetStyles(doc: Document): void {
  if (doc.getElementById('omnisparse-widget-css')) return;
  const style = doc.createElement('style');
  style.id = 'omnisparse-widget-css';
  style.textContent = WIDGET_CSS;
  doc.head.append(style);
}

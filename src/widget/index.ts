// mountOmnisparse(element, options): the JavaScript way to embed the widget (the HTML way is <omnisparse-dictation>,
// element.ts). Both run createRecognizer() from src/lib.
import { createRecognizer } from '../lib/create';
import { mountWidget, type WidgetHandle, type WidgetOptions } from './mount';

export type { WidgetHandle, WidgetOptions } from './mount';

export function mountOmnisparse(element: HTMLElement, opts: WidgetOptions): WidgetHandle {
  // The element starts loading once it listens, so its first 'statechange' is not lost.
  const recognizer = createRecognizer({
    autoLoad: false,
    models: opts.manifestUrl,
    ...(opts.level ? { level: opts.level } : {}),
    ...(opts.backend ? { backend: opts.backend } : {}),
    ...(opts.finalPass ? { finalPass: opts.finalPass } : {}),
  });
  return mountWidget(element, opts, recognizer);
}

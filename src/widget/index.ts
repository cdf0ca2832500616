// Public entry of the embeddable widget: mountOmnisparse(element, options) with the default worker-backed client.
import { createRecognizerClient } from '../asr/client';
import { mountWidget, type WidgetHandle, type WidgetOptions } from './mount';

export type { WidgetHandle, WidgetOptions } from './mount';

export function mountOmnisparse(element: HTMLElement, opts: WidgetOptions): WidgetHandle {
  return mountWidget(element, opts, createRecognizerClient());
}

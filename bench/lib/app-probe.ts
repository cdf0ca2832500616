// In-page probe for the app first-token bench, installed with page.addInitScript before the app's scripts run, so
// src/ stays untouched. It watches three things on the page's own clock (performance.now()):
//  - the capture worklet's blocks: AudioWorkletNode is replaced by a subclass that adds a second 'message' listener
//    to its port (the app's own `onmessage` still gets every block), to find the first non-silent sample;
//  - the status pill (`data-status` → listening) and the mic click;
//  - the transcript (partial text, number of final lines), with the next animation frame after each change.
// The function is serialized by Playwright: it must not reference anything outside its body.

import type { ProbeRecord } from './first-token';

export const PROBE_KEY = '__omnisparseFirstTokenProbe';

export interface ProbeOptions {
  key: string;
  /** |sample| above this counts as sound; the clip's lead is digital silence, its speech starts near 0.02 */
  silenceThreshold: number;
  /** cap on recorded transcript changes (an untrained model changes the partial every chunk) */
  maxTextEvents: number;
}

export function installProbe(opts: ProbeOptions): void {
  const rec: ProbeRecord = {
    sampleRate: null,
    clickMs: null,
    listeningMs: null,
    firstBlockMs: null,
    blocks: 0,
    samplesBeforeOnset: null,
    onsetBlock: null,
    text: [],
  };
  (globalThis as unknown as Record<string, ProbeRecord>)[opts.key] = rec;

  let captured = 0;
  const onBlock = (e: MessageEvent): void => {
    const now = performance.now();
    if (!(e.data instanceof Float32Array)) return;
    const block = e.data;
    rec.blocks += 1;
    if (rec.firstBlockMs === null) rec.firstBlockMs = now;
    if (rec.onsetBlock === null) {
      const i = block.findIndex((x) => Math.abs(x) > opts.silenceThreshold);
      if (i >= 0) {
        rec.onsetBlock = { arrivalMs: now, length: block.length, index: i };
        rec.samplesBeforeOnset = captured + i;
      }
    }
    captured += block.length;
  };
  const Native = globalThis.AudioWorkletNode;
  if (Native) {
    class ProbedWorkletNode extends Native {
      constructor(ctx: BaseAudioContext, name: string, options?: AudioWorkletNodeOptions) {
        super(ctx, name, options);
        rec.sampleRate = ctx.sampleRate;
        this.port.addEventListener('message', onBlock);
      }
    }
    Object.defineProperty(globalThis, 'AudioWorkletNode', { value: ProbedWorkletNode, writable: true, configurable: true });
  }

  let last = '';
  const snapshot = (): void => {
    const now = performance.now();
    const status = document.querySelector('[data-testid=status]')?.getAttribute('data-status');
    if (status === 'listening' && rec.listeningMs === null) rec.listeningMs = now;
    const partial = document.querySelector('[data-testid=partial]')?.textContent ?? '';
    const finals = document.querySelectorAll('[data-testid=final-line]').length;
    const key = `${finals}\u0000${partial}`;
    if (key === last || rec.text.length >= opts.maxTextEvents) return;
    last = key;
    requestAnimationFrame(() => rec.text.push({ mutationMs: now, paintMs: performance.now(), partial, finals }));
  };
  const observe = (): void => {
    new MutationObserver(snapshot).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
    document.addEventListener('click', (e) => {
      if ((e.target as Element | null)?.closest?.('[data-testid=mic-button]') && rec.clickMs === null) rec.clickMs = performance.now();
    }, true);
  };
  if (document.body) observe();
  else document.addEventListener('DOMContentLoaded', observe);
}

/** Read back from the page. */
export function readProbe(key: string): ProbeRecord | null {
  return ((globalThis as unknown as Record<string, ProbeRecord | undefined>)[key]) ?? null;
}

/**
 * Page-side wait condition: the transcript changed after the onset block reached the page (the first token, or for
 * a model that already showed text during silence the diagnostic "next update"), or `budgetMs` passed since the click.
 */
export function probeSettled(arg: { key: string; budgetMs: number }): boolean {
  const rec = (globalThis as unknown as Record<string, ProbeRecord | undefined>)[arg.key];
  if (!rec || rec.clickMs === null) return false;
  if (performance.now() - rec.clickMs > arg.budgetMs) return true;
  const onset = rec.onsetBlock;
  return onset !== null && rec.text.some((e) => e.mutationMs >= onset.arrivalMs);
}

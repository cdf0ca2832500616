import { describe, expect, it } from 'vitest';
import type { RecognizerEvent } from '../asr/types';
import { initialTracker, translateEvent, type OmnisparseEvent } from './events';

function run(events: RecognizerEvent[], ctx = { hasManifest: true, auto: false }): OmnisparseEvent[] {
  let t = initialTracker();
  const out: OmnisparseEvent[] = [];
  for (const e of events) {
    const [pub, next] = translateEvent(e, t, ctx);
    t = next;
    if (pub) out.push(pub);
  }
  return out;
}

describe('translateEvent', () => {
  it('reports each state change once, with the previous state', () => {
    const out = run([
      { type: 'status', status: 'loading' },
      { type: 'status', status: 'idle' },
      { type: 'status', status: 'idle' },
      { type: 'status', status: 'listening' },
    ]);
    expect(out.map((e) => e.type === 'statechange' && [e.detail.previous, e.detail.state])).toEqual([
      [null, 'loading'],
      ['loading', 'idle'],
      ['idle', 'listening'],
    ]);
  });
  it('is not ready while loading, nor after a load that failed', () => {
    const [loading] = translateEvent({ type: 'status', status: 'loading' }, initialTracker(), { hasManifest: true, auto: false });
    expect(loading).toMatchObject({ detail: { ready: false } });
    const [failed] = translateEvent({ type: 'status', status: 'idle' }, { state: 'loading', level: null }, { hasManifest: false, auto: false });
    expect(failed).toMatchObject({ detail: { state: 'idle', ready: false } });
  });
  it('turns level events into levelchange with the previous level and the auto flag, dropping repeats', () => {
    const out = run(
      [
        { type: 'level', level: 's50', loadMs: 120, fromCache: false },
        { type: 'ready', backend: 'wasm', level: 's50' },
        { type: 'level', level: 's50', loadMs: 1, fromCache: true },
        { type: 'level', level: 's80', loadMs: 30, fromCache: false },
      ],
      { hasManifest: true, auto: true },
    );
    expect(out).toEqual([
      { type: 'levelchange', detail: { level: 's50', previous: null, loadMs: 120, fromCache: false, auto: true } },
      { type: 'levelchange', detail: { level: 's80', previous: 's50', loadMs: 30, fromCache: false, auto: true } },
    ]);
  });
  it("says which pass wrote a final and what the streaming text was", () => {
    const [pub] = translateEvent(
      { type: 'final', text: 'Hi there.', words: [], level: 's00', pass: 'whisper', streamText: 'hi thar', finalLatencyMs: 800 },
      initialTracker(),
      { hasManifest: true, auto: false },
    );
    expect(pub).toEqual({ type: 'final', detail: { text: 'Hi there.', words: [], level: 's00', pass: 'whisper', streamText: 'hi thar' } });
  });
  it('passes partials, finals with word timings and errors through; hides metrics', () => {
    const words = [{ word: 'hi', start: 0.2, end: 0.4 }];
    const out = run([
      { type: 'partial', text: 'h' },
      { type: 'metrics', metrics: { level: 's50', backend: 'wasm', computeMs: 1, audioMs: 160, rtf: 0.1, modelBytes: 1 } },
      { type: 'final', text: 'hi', words, level: 's50' },
      { type: 'error', code: 'mic-denied', message: 'no' },
    ]);
    expect(out).toEqual([
      { type: 'partial', detail: { text: 'h' } },
      { type: 'final', detail: { text: 'hi', words, level: 's50', pass: 'stream', streamText: 'hi' } },
      { type: 'error', detail: { code: 'mic-denied', message: 'no' } },
    ]);
  });
});

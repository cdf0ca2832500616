// The public events of the recognizer API and of <omnisparse-dictation>, and the pure fold from the client's internal
// RecognizerEvents into them. Internal events carry no "previous" and repeat themselves (status 'idle' after a
// failed load, say); embedders get one event per real change, with enough detail to act on it alone.
import type { FinalTextSource, RecognizerErrorCode, RecognizerEvent, RecognizerStatus, WordTiming } from '../asr/types';

export interface OmnisparseEventMap {
  /** 'loading' → 'idle' (ready) → 'listening' → 'stopping' → 'idle'; 'file' while transcribeFile runs */
  statechange: { state: RecognizerStatus; previous: RecognizerStatus | null; ready: boolean };
  /** the current unfinished hypothesis; '' once it became final */
  partial: { text: string };
  /**
   * A finished line; never revised. Word times are seconds from the start of this stream (microphone or file).
   * `pass`: what wrote `text` ('stream', or the second pass 'transducer' / 'whisper'); `streamText`: the streaming
   * partial it replaced (equal to `text` for 'stream').
   */
  final: { text: string; words: WordTiming[]; level: string; pass: FinalTextSource; streamText: string };
  /** the level now running: the first one after loading, then every switch (setLevel or the auto level) */
  levelchange: { level: string; previous: string | null; loadMs: number; fromCache: boolean; auto: boolean };
  error: { code: RecognizerErrorCode; message: string };
}

export type OmnisparseEventType = keyof OmnisparseEventMap;

export type OmnisparseEvent = { [K in OmnisparseEventType]: { type: K; detail: OmnisparseEventMap[K] } }[OmnisparseEventType];

export const OMNISPARSE_EVENT_TYPES: readonly OmnisparseEventType[] = ['statechange', 'partial', 'final', 'levelchange', 'error'];

/** What the fold remembers between events. */
export interface EventTracker {
  state: RecognizerStatus | null;
  level: string | null;
}

export const initialTracker = (): EventTracker => ({ state: null, level: null });

export interface EventContext {
  /** the client holds a loaded manifest */
  hasManifest: boolean;
  /** the auto level is on (so a level switch was the device's decision, not the embedder's) */
  auto: boolean;
}

/** One internal event in, at most one public event out. 'ready' and 'metrics' are internal (state covers them). */
export function translateEvent(e: RecognizerEvent, t: EventTracker, ctx: EventContext): [OmnisparseEvent | null, EventTracker] {
  switch (e.type) {
    case 'status': {
      if (e.status === t.state) return [null, t];
      const detail = { state: e.status, previous: t.state, ready: e.status !== 'loading' && ctx.hasManifest };
      return [{ type: 'statechange', detail }, { ...t, state: e.status }];
    }
    case 'partial':
      return [{ type: 'partial', detail: { text: e.text } }, t];
    case 'final':
      return [{ type: 'final', detail: { text: e.text, words: e.words, level: e.level, pass: e.pass ?? 'stream', streamText: e.streamText ?? e.text } }, t];
    case 'level': {
      if (e.level === t.level) return [null, t];
      const detail = { level: e.level, previous: t.level, loadMs: e.loadMs, fromCache: e.fromCache, auto: ctx.auto };
      return [{ type: 'levelchange', detail }, { ...t, level: e.level }];
    }
    case 'error':
      return [{ type: 'error', detail: { code: e.code, message: e.message } }, t];
    case 'ready':
    case 'metrics':
      return [null, t];
  }
}

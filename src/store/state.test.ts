import { describe, expect, it } from 'vitest';
import type { ChunkMetrics } from '../asr/types';
import {
  canRetryLoad,
  errorFromThrown,
  FINAL_LATENCY_KEPT,
  initialData,
  METRICS_HISTORY_LIMIT,
  ONSET_LATENCY_KEPT,
  recordPartialShown,
  reduceEvent,
  withError,
} from './state';

const metric = (computeMs: number): ChunkMetrics => ({
  level: 's50', backend: 'wasm', computeMs, audioMs: 160, rtf: computeMs / 160, modelBytes: 10,
});

describe('reduceEvent', () => {
  it('appends finals and clears the partial', () => {
    let d = reduceEvent(initialData(), { type: 'partial', text: 'hel' });
    expect(d.partial).toBe('hel');
    d = reduceEvent(d, { type: 'final', text: 'hello', words: [{ word: 'hello', start: 0.1, end: 0.4 }], level: 's50' });
    d = reduceEvent(d, { type: 'final', text: 'world', words: [], level: 's80' });
    expect(d.partial).toBe('');
    expect(d.finals.map((f) => `${f.level}:${f.text}`)).toEqual(['s50:hello', 's80:world']);
  });

  it('remembers the onset of a first partial (microphone) until it is painted; later partials leave it alone', () => {
    let d = reduceEvent(initialData(), { type: 'partial', text: 'h', onsetFrame: 50, onsetAt: 1000 });
    expect(d.onsetLatency).toEqual({ pendingOnsetAt: 1000, ms: [] });
    d = reduceEvent(d, { type: 'partial', text: 'he' });
    expect(d.onsetLatency.pendingOnsetAt).toBe(1000);
    // a file's first partial has an onset frame but no capture time: nothing to time
    expect(reduceEvent(initialData(), { type: 'partial', text: 'h', onsetFrame: 50 }).onsetLatency.pendingOnsetAt).toBeNull();
  });

  it('records onset -> paint once per pending onset, bounded', () => {
    const pending = { pendingOnsetAt: 1000, ms: [300] };
    expect(recordPartialShown(pending, 1212)).toEqual({ pendingOnsetAt: null, ms: [300, 212] });
    const none = { pendingOnsetAt: null, ms: [300] };
    expect(recordPartialShown(none, 1212)).toBe(none);
    expect(recordPartialShown({ pendingOnsetAt: 1000, ms: [] }, 900)).toEqual({ pendingOnsetAt: null, ms: [] }); // clocks disagree: dropped
    const full = { pendingOnsetAt: 0, ms: Array.from({ length: ONSET_LATENCY_KEPT }, (_, i) => i) };
    const next = recordPartialShown(full, 999);
    expect(next.ms).toHaveLength(ONSET_LATENCY_KEPT);
    expect(next.ms.at(-1)).toBe(999);
  });

  it('keeps the streaming text a second pass replaced, and its endpoint -> final latency', () => {
    let d = reduceEvent(initialData(), {
      type: 'final', text: 'Please call Stella.', words: [], level: 's00', pass: 'whisper', streamText: 'plas costelan', finalLatencyMs: 950,
    });
    // a second pass that said the same, and a streaming final, keep no copy
    d = reduceEvent(d, { type: 'final', text: 'same', words: [], level: 's00', pass: 'transducer', streamText: 'same', finalLatencyMs: 80 });
    d = reduceEvent(d, { type: 'final', text: 'plain', words: [], level: 's00', pass: 'stream', streamText: 'plain', finalLatencyMs: 0.2 });
    d = reduceEvent(d, { type: 'final', text: 'old worker', words: [], level: 's00' });
    expect(d.finals).toEqual([
      { text: 'Please call Stella.', words: [], level: 's00', pass: 'whisper', streamText: 'plas costelan' },
      { text: 'same', words: [], level: 's00', pass: 'transducer' },
      { text: 'plain', words: [], level: 's00', pass: 'stream' },
      { text: 'old worker', words: [], level: 's00' },
    ]);
    expect(d.finalLatency).toEqual([
      { pass: 'whisper', ms: 950 },
      { pass: 'transducer', ms: 80 },
      { pass: 'stream', ms: 0.2 },
    ]);
  });

  it('bounds the final latencies, keeping the newest', () => {
    let d = initialData();
    for (let i = 0; i < FINAL_LATENCY_KEPT + 2; i++) {
      d = reduceEvent(d, { type: 'final', text: 'x', words: [], level: 's0', pass: 'stream', finalLatencyMs: i });
    }
    expect(d.finalLatency).toHaveLength(FINAL_LATENCY_KEPT);
    expect(d.finalLatency[0]!.ms).toBe(2);
  });

  it('drops empty finals but still clears the partial', () => {
    const d = reduceEvent({ ...initialData(), partial: 'x' }, { type: 'final', text: '  ', words: [], level: 's50' });
    expect(d.finals).toHaveLength(0);
    expect(d.partial).toBe('');
  });

  it('keeps finals across level switches, status changes and errors', () => {
    let d = reduceEvent(initialData(), { type: 'final', text: 'keep me', words: [], level: 's0' });
    d = reduceEvent(d, { type: 'level', level: 's80', loadMs: 12, fromCache: true });
    d = reduceEvent(d, { type: 'status', status: 'idle' });
    d = reduceEvent(d, { type: 'error', code: 'internal', message: 'boom' });
    expect(d.finals.map((f) => f.text)).toEqual(['keep me']);
    expect(d.activeLevel).toBe('s80');
    expect(d.levelSwitches).toEqual([{ level: 's80', loadMs: 12, fromCache: true }]);
  });

  it('ready sets backend and active level without overriding a user selection', () => {
    const d = reduceEvent({ ...initialData(), selectedLevel: 's80' }, { type: 'ready', backend: 'webgpu', level: 's50' });
    expect(d.backend).toBe('webgpu');
    expect(d.activeLevel).toBe('s50');
    expect(d.selectedLevel).toBe('s80');
  });

  it('bounds the metrics history, keeping the newest', () => {
    let d = initialData();
    for (let i = 0; i < METRICS_HISTORY_LIMIT + 3; i++) d = reduceEvent(d, { type: 'metrics', metrics: metric(i) });
    expect(d.metrics).toHaveLength(METRICS_HISTORY_LIMIT);
    expect(d.metrics[0]!.computeMs).toBe(3);
    expect(d.metrics.at(-1)!.computeMs).toBe(METRICS_HISTORY_LIMIT + 2);
    expect(d.backend).toBe('wasm');
  });
});

describe('withError', () => {
  it('deduplicates by code, refreshing the message', () => {
    let d = withError(initialData(), 'mic-denied', 'first');
    d = withError(d, 'mic-denied', 'second');
    d = withError(d, 'model-missing', 'other');
    expect(d.errors.map((e) => `${e.code}:${e.message}`)).toEqual(['mic-denied:second', 'model-missing:other']);
    expect(d.errorSeq).toBe(3);
  });
});

describe('canRetryLoad', () => {
  const failed = { ...withError(initialData(), 'model-missing', 'cannot fetch x: HTTP 404'), manifestUrl: 'models/manifest.json' };
  it('offers a retry after a failed first load', () => {
    expect(canRetryLoad(failed)).toBe(true);
    expect(canRetryLoad({ ...failed, errors: withError(initialData(), 'model-corrupt', 'x').errors })).toBe(true);
  });
  it('not while loading, not once a model runs, not before any load, not without an error', () => {
    expect(canRetryLoad({ ...failed, status: 'loading' })).toBe(false);
    expect(canRetryLoad({ ...failed, manifest: {} as never })).toBe(false);
    expect(canRetryLoad({ ...failed, manifestUrl: null })).toBe(false);
    expect(canRetryLoad({ ...failed, errors: [] })).toBe(false);
  });
  it('not for a missing browser feature, which a retry cannot fix', () => {
    expect(canRetryLoad({ ...failed, errors: withError(initialData(), 'no-wasm', 'x').errors })).toBe(false);
  });
});

describe('errorFromThrown', () => {
  it('uses a known code attached to the error', () => {
    const err = Object.assign(new Error('bad onnx'), { code: 'model-corrupt' });
    expect(errorFromThrown(err)).toEqual({ code: 'model-corrupt', message: 'bad onnx' });
  });
  it('maps getUserMedia DOMExceptions', () => {
    expect(errorFromThrown(new DOMException('nope', 'NotAllowedError')).code).toBe('mic-denied');
    expect(errorFromThrown(new DOMException('none', 'NotFoundError')).code).toBe('mic-missing');
  });
  it('falls back to internal', () => {
    expect(errorFromThrown('weird')).toEqual({ code: 'internal', message: 'weird' });
    expect(errorFromThrown(Object.assign(new Error('x'), { code: 'ENOENT' })).code).toBe('internal');
  });
});

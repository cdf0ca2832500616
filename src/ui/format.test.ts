import { describe, expect, it } from 'vitest';
import { formatCount, formatMB, formatMs, formatPercent, formatRate, formatRtf, formatSpan, secondPassMarker } from './format';

describe('format', () => {
  it('formats sizes and counts', () => {
    expect(formatMB(3_000_000)).toBe('3.0 MB');
    expect(formatMB(1_250_000)).toBe('1.3 MB');
    expect(formatCount(812_345)).toBe('812k');
    expect(formatCount(1_234_567)).toBe('1.23M');
    expect(formatCount(999)).toBe('999');
  });
  it('formats rates, allowing unknown values', () => {
    expect(formatPercent(0.5)).toBe('50 %');
    expect(formatRate(0.1234)).toBe('12.3 %');
    expect(formatRate(null)).toBe('–');
  });
  it('formats timings', () => {
    expect(formatMs(12.345)).toBe('12.3 ms');
    expect(formatMs(250.4)).toBe('250 ms');
    expect(formatMs(null)).toBe('–');
    expect(formatRtf(0.12345)).toBe('0.123');
    expect(formatRtf(Number.NaN)).toBe('–');
    expect(formatSpan(1.234, 1.5)).toBe('1.23–1.50 s');
  });
});

describe('secondPassMarker', () => {
  it('is null for streaming finals and keeps the replaced streaming text otherwise', () => {
    expect(secondPassMarker({ text: 'a' })).toBeNull();
    expect(secondPassMarker({ text: 'a', pass: 'stream' })).toBeNull();
    expect(secondPassMarker({ text: 'Please call.', pass: 'whisper', streamText: 'plas cal' })).toEqual({
      streamText: 'plas cal',
      description: 'final line by the Whisper second pass; streaming text was: “plas cal”',
    });
    expect(secondPassMarker({ text: 'same', pass: 'transducer' })).toEqual({
      streamText: 'same',
      description: 'final line by the full-context transducer second pass; the streaming text was the same',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { analyzeRun, firstTokenTable, onsetPageMs, summarizeLevel, type ProbeRecord, type ProbeTextEvent } from './first-token';

const text = (mutationMs: number, partial: string, finals = 0): ProbeTextEvent => ({ mutationMs, paintMs: mutationMs + 8, partial, finals });

/** 48 kHz capture, 100 ms blocks; listening at 1000 ms, first block at 1100 ms, onset 1000 ms of samples later. */
function probe(over: Partial<ProbeRecord> = {}): ProbeRecord {
  return {
    sampleRate: 48000,
    clickMs: 900,
    listeningMs: 1000,
    firstBlockMs: 1100,
    blocks: 30,
    samplesBeforeOnset: 48000,
    // sample 1200 of a 4800-sample block arriving at 2150 ms: 3600 samples (75 ms) after the onset
    onsetBlock: { arrivalMs: 2150, length: 4800, index: 1200 },
    text: [text(2400, ''), text(2450, 'p')],
    ...over,
  };
}

describe('onsetPageMs', () => {
  it('back-dates the onset block arrival by the samples captured after the onset', () => {
    expect(onsetPageMs(probe())).toBe(2075);
  });
  it('is null without a captured onset or a known rate', () => {
    expect(onsetPageMs(probe({ onsetBlock: null }))).toBeNull();
    expect(onsetPageMs(probe({ sampleRate: null }))).toBeNull();
  });
});

describe('analyzeRun', () => {
  it('times the first painted non-empty text from the onset found in the audio', () => {
    const r = analyzeRun(probe(), 1.0);
    expect(r).toMatchObject({ valid: true, invalidReason: null, firstTokenMs: 383, mutationToPaintMs: 8 });
    // naive onset = 1000 + 1000 = 2000 ms: 75 ms earlier than the audio says
    expect(r.fromListeningMs).toBe(458);
    expect(r.onsetVsListeningMs).toBe(75);
    expect(r.capturedLeadMs).toBe(1000);
    expect(r.listeningToFirstBlockMs).toBe(100);
  });
  it('counts a first final line as the first token too', () => {
    expect(analyzeRun(probe({ text: [text(2300, '', 1)] }), 1.0).firstTokenMs).toBe(233);
  });
  it('reports text that changed before the onset reached the page as invalid, never as a negative latency', () => {
    const r = analyzeRun(probe({ text: [text(1500, 'x'), text(2450, 'xy')] }), 1.0);
    expect(r).toMatchObject({ valid: false, invalidReason: 'text-before-onset', firstTokenMs: null });
    // the next update after the onset is kept, as a diagnostic only
    expect(r.firstChangeAfterOnsetMs).toBe(383);
  });
  it('text between the back-dated onset and its block arrival is still from silence: invalid', () => {
    expect(analyzeRun(probe({ text: [text(2100, 'x')] }), 1.0).invalidReason).toBe('text-before-onset');
  });
  it('names what is missing', () => {
    expect(analyzeRun(probe({ listeningMs: null }), 1.0).invalidReason).toBe('no-listening');
    expect(analyzeRun(probe({ onsetBlock: null, samplesBeforeOnset: null }), 1.0).invalidReason).toBe('no-onset-captured');
    expect(analyzeRun(probe({ text: [text(2400, ' ')] }), 1.0).invalidReason).toBe('no-text-after-onset');
  });
  it('shows lead silence lost before the worklet was connected', () => {
    expect(analyzeRun(probe({ samplesBeforeOnset: 38400 }), 1.0).capturedLeadMs).toBe(800);
  });
});

describe('summarizeLevel', () => {
  it('takes median and spread over valid runs only and lists why the others are invalid', () => {
    const runs = [analyzeRun(probe(), 1), analyzeRun(probe({ text: [text(2650, 'a')] }), 1), analyzeRun(probe({ text: [text(2250, 'a')] }), 1), analyzeRun(probe({ text: [text(10, 'a')] }), 1)];
    const s = summarizeLevel('s50', 0.5, 'wasm', runs);
    expect(s).toMatchObject({ runs: 4, valid: 3, medianMs: 383, minMs: 183, maxMs: 583, invalidReasons: ['text-before-onset'] });
    expect(firstTokenTable([s])).toContain('3/4');
  });
  it('has no numbers when no run was valid', () => {
    const s = summarizeLevel('s90', 0.9, 'wasm', [analyzeRun(probe({ text: [text(10, 'a')] }), 1)]);
    expect(s).toMatchObject({ valid: 0, medianMs: null, minMs: null, maxMs: null });
    expect(firstTokenTable([s])).toContain('text-before-onset');
  });
});

import { describe, expect, it } from 'vitest';
import {
  CaptureClock,
  frameCaptureTime,
  frameTimingOf,
  onsetToShownMs,
  SpeechOnsetTracker,
  type CaptureMark,
} from './onset-latency';

const quiet = (): Float32Array => new Float32Array(80).fill(Math.log(1e-6)); // -41 dB: sets the noise floor
const loud = (): Float32Array => new Float32Array(80).fill(2); // +28 dB: far above floor + 12 dB
const frames = (pattern: string): Float32Array[] => [...pattern].map((c) => (c === 'S' ? loud() : quiet()));

describe('SpeechOnsetTracker', () => {
  it("returns the utterance's first speech-like frame once, if the text rests on frames that include it", () => {
    const t = new SpeechOnsetTracker();
    t.observe(frames('....SSSS..SS'));
    expect(t.takeOnset(12)).toBe(4);
    expect(t.takeOnset(12)).toBeNull(); // the first text of this utterance was already timed
  });

  it('gives nothing when the text came from frames before the onset', () => {
    const t = new SpeechOnsetTracker();
    t.observe(frames('........SSSS'));
    expect(t.takeOnset(6)).toBeNull(); // the encoder had seen frames 0-5 only: all quiet
    expect(t.takeOnset(12)).toBeNull(); // and the utterance's first text is spent
  });

  it('after an endpoint, times the next utterance from its own speech start, even one pushed before the endpoint', () => {
    const t = new SpeechOnsetTracker();
    t.observe(frames('..SSS.......SS')); // the second word was pushed before the decoder endpointed the first
    expect(t.takeOnset(8)).toBe(2);
    t.startUtterance(10);
    expect(t.takeOnset(14)).toBe(12);
  });

  it('restarts indices on reset (a new stream)', () => {
    const t = new SpeechOnsetTracker();
    t.observe(frames('...SS'));
    t.reset();
    t.observe(frames('.S'));
    expect(t.takeOnset(2)).toBe(1);
  });

  it('prunes to what can still matter: bounded on a long noisy stream, the pending onset kept', () => {
    const t = new SpeechOnsetTracker();
    t.observe(frames('.S.'.repeat(1000))); // speech starts at 1, 4, 7, ..., 2998
    t.prune(2990); // not reported yet: keeps the first start (1) and those from 2990 on
    expect(t.takeOnset(3000)).toBe(1);
    t.startUtterance(2995);
    expect(t.takeOnset(3000)).toBe(2995);
    t.prune(3000); // reported: nothing before 3000 can matter any more
    t.startUtterance(0); // (only to look inside: with everything pruned there is no start left from 0 on)
    expect(t.takeOnset(3000)).toBeNull();
  });
});

describe('frameCaptureTime', () => {
  const timing = { hopMs: 10, winMs: 25 };
  const marks: CaptureMark[] = [
    { start: 0, end: 10, at: 1000 },
    { start: 10, end: 20, at: 1100 },
  ];

  it("places a frame's first sample by the time its batch came out: the batch's newest audio is its last frame's end", () => {
    // frame 19 is the last of the batch at 1100: it starts one window (25 ms) before that batch's newest audio
    expect(frameCaptureTime(marks, 19, timing)).toBe(1075);
    // frame 12: 7 hops earlier still
    expect(frameCaptureTime(marks, 12, timing)).toBe(1005);
    expect(frameCaptureTime(marks, 0, timing)).toBe(1000 - 9 * 10 - 25);
  });

  it('is null for frames outside the kept batches', () => {
    expect(frameCaptureTime(marks, 20, timing)).toBeNull();
    expect(frameCaptureTime(marks.slice(1), 5, timing)).toBeNull(); // its batch was evicted: unknown, not guessed
    expect(frameCaptureTime(marks, -1, timing)).toBeNull();
  });

  it('takes hop and window from the front end spec (16 kHz, 160 / 400 samples)', () => {
    expect(frameTimingOf({ sampleRate: 16000, hopLength: 160, winLength: 400 })).toEqual({ hopMs: 10, winMs: 25 });
  });
});

describe('CaptureClock', () => {
  it('numbers frames across batches and forgets the oldest batches beyond its limit', () => {
    const c = new CaptureClock({ hopMs: 10, winMs: 25 }, 2);
    c.mark(10, 100);
    c.mark(0, 150); // an empty batch does not count
    c.mark(10, 200);
    expect(c.captureTimeOf(5)).toBe(100 - 4 * 10 - 25);
    c.mark(10, 300);
    expect(c.captureTimeOf(5)).toBeNull();
    expect(c.captureTimeOf(25)).toBe(300 - 4 * 10 - 25);
  });
});

describe('onsetToShownMs', () => {
  it('is paint time minus onset time, null when an end is unknown or the order is impossible', () => {
    expect(onsetToShownMs(1000, 1212.5)).toBe(212.5);
    expect(onsetToShownMs(null, 1212)).toBeNull();
    expect(onsetToShownMs(1000, null)).toBeNull();
    expect(onsetToShownMs(1000, 990)).toBeNull();
    expect(onsetToShownMs(Number.NaN, 990)).toBeNull();
  });
});

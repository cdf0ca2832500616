// "Speech onset -> first text on screen", the latency a person feels when they start talking. Two clocks meet here:
//  - the AUDIO clock: feature frame k is the 10 ms hop starting at sample k*hop of the stream (frontend.ts: frame k
//    covers samples [k*hop, k*hop + win)). The recognizer (in the worker) only knows this clock, so it reports the
//    onset as a frame index: SpeechOnsetTracker.
//  - the WALL clock of the page: the client knows when each batch of captured frames came out of the front end
//    (CaptureClock), so it can place a frame index in time, and the UI knows when the first partial was painted.
// Everything here is pure or plain state, so the definitions are unit-tested (onset-latency.test.ts).

import { Endpointer, type EndpointOptions, type ToNaturalLog } from './endpoint';

/**
 * Finds each utterance's speech onset: its first feature frame whose energy crosses the endpointer's speech threshold
 * (Endpointer.observeFrame, same options), and hands it out once, with the utterance's first non-empty partial.
 *
 * It classifies frames when they are pushed, not when the encoder consumes them, because a chunk decodes with 40 ms
 * of look-ahead: a partial can come from frames the endpointer has not consumed yet, and then the onset must already
 * be known. Its private Endpointer sees the same frames in the same order as the recognizer's, so it classifies each
 * frame exactly as the recognizer's endpointer will (the noise floor depends only on the frame sequence).
 */
export class SpeechOnsetTracker {
  private readonly detector: Endpointer;
  private pushed = 0;
  /** first frame of the current utterance (the stream start, or the frame after an endpoint) */
  private utteranceStart = 0;
  /** indices of speech-like frames that follow a quiet one, in order; pruned (see prune) */
  private starts: number[] = [];
  private lastWasSpeech = false;
  private reported = false;

  constructor(opts: Partial<EndpointOptions> = {}, toLn?: ToNaturalLog) {
    this.detector = new Endpointer(opts, toLn);
  }

  /** Frames in stream order, as they are pushed. */
  observe(frames: readonly Float32Array[]): void {
    for (const f of frames) {
      const speech = this.detector.observeFrame(f);
      if (speech && !this.lastWasSpeech) this.starts.push(this.pushed);
      this.lastWasSpeech = speech;
      this.pushed++;
    }
  }

  /**
   * Call on an utterance's first non-empty partial, with the end (exclusive) of the frames the encoder had seen when
   * it produced it. Returns the utterance's onset frame, or null when there is none to pair it with: the text came
   * from frames before any speech (a model that emits on noise), or this utterance's first text was already reported
   * (after a level switch the partial restarts empty, but the person did not start speaking again).
   */
  takeOnset(seenEnd: number): number | null {
    if (this.reported) return null;
    this.reported = true;
    const onset = this.starts.find((s) => s >= this.utteranceStart);
    return onset !== undefined && onset < seenEnd ? onset : null;
  }

  /** An endpoint ended the utterance at frame `at`: the next onset is the first speech start from there on. */
  startUtterance(at: number): void {
    this.utteranceStart = at;
    this.reported = false;
    this.starts = this.starts.filter((s) => s >= at);
  }

  /** A new stream (after flush): frame indices restart at 0. The noise floor carries over, like the endpointer's. */
  reset(): void {
    this.pushed = 0;
    this.utteranceStart = 0;
    this.starts = [];
    this.lastWasSpeech = false;
    this.reported = false;
  }

  /**
   * Drops starts that can no longer matter, so memory stays bounded on long noisy streams: the current utterance
   * needs only its first start (until it is reported), and any later utterance begins at an endpoint, which comes at
   * or after `consumed`.
   */
  prune(consumed: number): void {
    const first = this.reported ? undefined : this.starts.find((s) => s >= this.utteranceStart);
    this.starts = this.starts.filter((s) => s === first || s >= consumed);
  }
}

/** One batch of captured frames: stream frames [start, end) came out of the front end together at `at` (ms). */
export interface CaptureMark {
  start: number;
  end: number;
  at: number;
}

/** Frame geometry in ms, from the FrontendSpec: hop = hopLength / sampleRate, window = winLength / sampleRate. */
export interface FrameTiming {
  hopMs: number;
  winMs: number;
}

/**
 * Wall time (the marks' clock) at which the audio at the START of frame `frame` was captured, or null when no mark
 * covers it (a batch older than the marks kept). The last frame of a batch ends with the newest audio in that batch,
 * so it was captured at about the batch's time; frame k starts (end - 1 - k) hops + one window earlier.
 *
 * This is a lower bound on how long ago the person spoke, by the capture path's own delay (device, audio thread,
 * worklet block, resampler group delay), which the page cannot observe: measured latencies come out that much short.
 */
export function frameCaptureTime(marks: readonly CaptureMark[], frame: number, t: FrameTiming): number | null {
  const mark = marks.find((m) => frame >= m.start && frame < m.end);
  return mark ? mark.at - ((mark.end - 1 - frame) * t.hopMs + t.winMs) : null;
}

/** How many batches the client keeps: ~20 s of microphone batches (20 ms each, worklet.ts), far more than any onset needs. */
export const CAPTURE_MARKS_KEPT = 1024;

/** The client's record of when captured frames came out of the front end. */
export class CaptureClock {
  private marks: CaptureMark[] = [];
  private frames = 0;

  constructor(
    private readonly timing: FrameTiming,
    private readonly kept = CAPTURE_MARKS_KEPT,
  ) {}

  /** `count` frames came out of the front end at `at`. */
  mark(count: number, at: number): void {
    if (count <= 0) return;
    this.marks.push({ start: this.frames, end: this.frames + count, at });
    this.frames += count;
    if (this.marks.length > this.kept) this.marks.shift();
  }

  captureTimeOf(frame: number): number | null {
    return frameCaptureTime(this.marks, frame, this.timing);
  }
}

/**
 * The label's number: speech onset -> first partial on screen, in ms. Null when either end is unknown or the order is
 * impossible (text before its onset means the clocks disagree, not a negative latency).
 */
export function onsetToShownMs(onsetAt: number | null, shownAt: number | null): number | null {
  if (onsetAt === null || shownAt === null || !Number.isFinite(onsetAt) || !Number.isFinite(shownAt)) return null;
  const ms = shownAt - onsetAt;
  return ms >= 0 ? ms : null;
}

/** The frame geometry of a front end spec. */
export function frameTimingOf(spec: { sampleRate: number; hopLength: number; winLength: number }): FrameTiming {
  return { hopMs: (spec.hopLength / spec.sampleRate) * 1000, winMs: (spec.winLength / spec.sampleRate) * 1000 };
}

// Browser audio sources. Microphone: getUserMedia -> AudioWorklet (copies blocks off the real-time thread) ->
// main thread FeaturePipeline (resample to 16 kHz + log-mel) -> onFrames. Resampling runs on the main thread, not in
// the worklet, because the worklet must never risk missing a render deadline, and because files then go through
// literally the same FeaturePipeline code. Files: decodeAudioData -> the same pipeline, as fast as it can.

import { RecognizerError } from '../asr/errors';
import type { FrontendSpec } from '../asr/types';
import { FeaturePipeline } from './pipeline';
import workletUrl from './worklet.ts?worker&url';

export type FramesSink = (frames: Float32Array[]) => void;

/** Called once when the microphone stops delivering by itself (unplugged, revoked, taken by the system). */
export type MicLostSink = (reason: string) => void;

/** What the capture worklet posts: full 20 ms blocks, and once, the partial block asked for by 'flush'. */
type WorkletMessage = Float32Array | { flushed: Float32Array };

// A stopped or suspended audio graph may never answer; stopping must not hang on it.
const FLUSH_TIMEOUT_MS = 250;

export interface MicCapture {
  readonly sampleRate: number;
  /** Stops the microphone and returns the pipeline's tail frames. */
  stop(): Promise<Float32Array[]>;
}

function micError(err: unknown): RecognizerError {
  const name = err instanceof DOMException ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return new RecognizerError('mic-denied', 'microphone permission was denied');
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NotReadableError') {
    return new RecognizerError('mic-missing', `no usable microphone (${name})`);
  }
  return new RecognizerError('mic-missing', `cannot open the microphone: ${String(err)}`);
}

/**
 * An AudioContext with the capture worklet loaded, made ahead of the first dictation and kept across dictations
 * (suspended in between). Why ahead: the device captures from the moment getUserMedia resolves, and everything it
 * captures before the worklet is connected is lost. Made at the click, context + worklet took 0.5-1.7 s on a busy
 * 2-core box, which cut the first words off what was said at the click (e2e/dictation.spec.ts measured it).
 */
export interface CaptureRig {
  readonly ctx: AudioContext;
  /** the worklet module; rejects where it cannot load (reported when the microphone starts, not before) */
  readonly loaded: Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the context and the worklet's download, or null where this browser has no AudioWorklet. Outside a user
 * gesture the context starts suspended; startMicrophone resumes it from the click.
 */
export function prepareCapture(): CaptureRig | null {
  if (typeof AudioWorkletNode === 'undefined' || typeof AudioContext === 'undefined') return null;
  // The device's native rate: forcing 16 kHz here is not portable (Firefox refuses mixed-rate graphs).
  const ctx = new AudioContext();
  const loaded = ctx.audioWorklet.addModule(workletUrl);
  loaded.catch(() => {}); // awaited by startMicrophone; an app that never dictates must not see an unhandled rejection
  // a second close() rejects (InvalidStateError): nothing left to release then
  return { ctx, loaded, close: () => ctx.close().catch(() => {}) };
}

/**
 * Opens the microphone into `rig` (prepareCapture's, owned by the caller) and feeds `onFrames` until stop(), which
 * leaves the context suspended for the next dictation.
 */
export async function startMicrophone(
  rig: CaptureRig,
  spec: FrontendSpec,
  onFrames: FramesSink,
  onLost?: MicLostSink,
): Promise<MicCapture> {
  if (!navigator.mediaDevices?.getUserMedia) throw new RecognizerError('mic-missing', 'no media devices API (insecure context?)');
  const { ctx } = rig;
  const release = (): Promise<void> => ctx.suspend().catch(() => {});
  // Running before the device opens, so that the graph pulls audio from its first block on. Asked for right after
  // the click (the autoplay policy lets a page that had a user gesture start audio). A refusal is kept, not thrown,
  // until the device is open and can be released with it.
  const running: Promise<unknown> =
    ctx.state === 'suspended' ? ctx.resume().then(() => null, (err: unknown) => err ?? 'refused') : Promise.resolve(null);
  // Everything that does not need the stream is made while the permission is being asked for.
  const pipeline = new FeaturePipeline(ctx.sampleRate, spec);
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
    });
  } catch (err) {
    await release();
    throw micError(err);
  }
  try {
    await rig.loaded;
  } catch (err) {
    stream.getTracks().forEach((t) => t.stop());
    await release();
    throw new RecognizerError('no-audioworklet', `cannot load the capture worklet: ${String(err)}`);
  }
  const source = ctx.createMediaStreamSource(stream);
  const node = new AudioWorkletNode(ctx, 'omnisparse-capture', { numberOfInputs: 1, numberOfOutputs: 0 });
  const pushBlock = (block: Float32Array): void => {
    const frames = pipeline.push(block);
    if (frames.length > 0) onFrames(frames);
  };
  node.port.onmessage = (e: MessageEvent<WorkletMessage>) => {
    if (e.data instanceof Float32Array) pushBlock(e.data);
  };
  source.connect(node);
  const refused = await running;
  if (refused !== null) {
    source.disconnect();
    stream.getTracks().forEach((t) => t.stop());
    await release();
    throw new RecognizerError('mic-missing', `the browser did not start audio processing: ${String(refused)}`);
  }
  // An unplugged device ends its track; the graph then only renders silence, so without this the app would sit in
  // "listening" forever with the utterance in flight never finalized. stop() ends tracks itself, which fires nothing.
  let over = false;
  const tracks = stream.getAudioTracks();
  const onEnded = (): void => {
    if (over) return;
    over = true;
    onLost?.(`the microphone stopped delivering audio (${tracks[0]?.label || 'audio track'} ended)`);
  };
  tracks.forEach((t) => t.addEventListener('ended', onEnded));
  return {
    sampleRate: ctx.sampleRate,
    async stop() {
      over = true;
      tracks.forEach((t) => t.removeEventListener('ended', onEnded));
      // The worklet holds up to 20 ms not yet posted: ask for it, so the last words are not lost on stop.
      const tail = await new Promise<Float32Array | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), FLUSH_TIMEOUT_MS);
        node.port.onmessage = (e: MessageEvent<WorkletMessage>) => {
          if (e.data instanceof Float32Array) return pushBlock(e.data);
          clearTimeout(timer);
          resolve(e.data.flushed);
        };
        node.port.postMessage('flush');
      });
      if (tail && tail.length > 0) pushBlock(tail);
      node.port.onmessage = null;
      source.disconnect();
      node.disconnect();
      stream.getTracks().forEach((t) => t.stop());
      await release();
      return pipeline.flush();
    },
  };
}

/** Decodes wav/mp3/ogg/webm (whatever the browser's decodeAudioData supports) to planar channels. */
export async function decodeFile(
  file: Blob | ArrayBuffer,
  targetRate = 16000,
): Promise<{ sampleRate: number; channels: Float32Array[] }> {
  const bytes = file instanceof ArrayBuffer ? file : await file.arrayBuffer();
  // decodeAudioData resamples to the context's rate. Decoding straight at the model's rate means a 16 kHz file is
  // not resampled at all (so it matches the Node CLI exactly); our resampler handles whatever rate comes back.
  let ctx: OfflineAudioContext;
  try {
    ctx = new OfflineAudioContext(1, 1, targetRate);
  } catch {
    ctx = new OfflineAudioContext(1, 1, 44100);
  }
  let buffer: AudioBuffer;
  try {
    buffer = await ctx.decodeAudioData(bytes);
  } catch (err) {
    throw new RecognizerError('decode-failed', `cannot decode this audio file: ${String(err)}`);
  }
  const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c));
  return { sampleRate: buffer.sampleRate, channels };
}

/**
 * Streams decoded audio through the FeaturePipeline in blocks, yielding to the event loop between blocks so the
 * UI stays responsive; `onFrames` receives every frame including the tail.
 */
export async function featuresFromDecoded(
  audio: { sampleRate: number; channels: Float32Array[] },
  spec: FrontendSpec,
  onFrames: FramesSink,
  blockSeconds = 2,
): Promise<void> {
  const pipeline = new FeaturePipeline(audio.sampleRate, spec);
  const total = audio.channels[0]?.length ?? 0;
  const block = Math.max(1, Math.round(audio.sampleRate * blockSeconds));
  for (let pos = 0; pos < total; pos += block) {
    const frames = pipeline.pushChannels(audio.channels.map((c) => c.subarray(pos, pos + block)));
    if (frames.length > 0) onFrames(frames);
    await new Promise((r) => setTimeout(r, 0));
  }
  const tail = pipeline.flush();
  if (tail.length > 0) onFrames(tail);
}

// The framework-free streaming recognizer used by the inference worker and the Node CLI: features (or 16 kHz audio)
// in, RecognizerEvents out. Runtime-agnostic: the ModelLoader decides whether ONNX runs in a browser or in Node.
//
// All work is serialized on one queue, so a level switch lands exactly between two chunks: the partial is finalized,
// the buffered (not yet consumed) frames move to the new level's session, encoder state restarts from zeros.

import { LogMelFrontend } from '../audio/frontend';
import { decoderConfigOf, GreedyDecoder, tokensToText, type Emission } from './decoder';
import { Endpointer, type EndpointOptions } from './endpoint';
import type { LevelModels, ModelLoader } from './engine';
import { toRecognizerError } from './errors';
import { findLevel } from './manifest';
import { EncoderSession, geometryOf } from './session';
import type { ChunkMetrics, Manifest, RecognizerEvent } from './types';
import { ENCODER_FRAME_SECONDS, wordsFromEmissions } from './words';

export interface RecognizerOptions {
  manifest: Manifest;
  loader: ModelLoader;
  /** defaults to manifest.defaultLevel */
  level?: string;
  endpoint?: Partial<EndpointOptions>;
  /** wall clock in ms; injectable for tests */
  now?: () => number;
  /** subscribed before loading, so it also sees the initial 'level' and 'ready' events */
  listener?: (e: RecognizerEvent) => void;
}

export interface Recognizer {
  readonly manifest: Manifest;
  readonly level: string;
  /** Log-mel frames (featureDim each) in stream order. Resolves once they are processed. */
  pushFeatures(frames: readonly Float32Array[]): Promise<void>;
  /** 16 kHz mono samples; runs the front end first. */
  pushAudio16k(samples: Float32Array): Promise<void>;
  /** Ends the stream: decodes everything left, finalizes the partial, and starts a fresh stream. */
  flush(): Promise<void>;
  /** Loads (or reuses) the level's models, then switches at the next chunk boundary. */
  setLevel(id: string): Promise<void>;
  on(listener: (e: RecognizerEvent) => void): () => void;
  dispose(): Promise<void>;
}

/** Rolling window for the RTF in ChunkMetrics (~4 s of audio). */
const RTF_WINDOW_CHUNKS = 25;

class StreamingRecognizer implements Recognizer {
  readonly manifest: Manifest;
  private readonly loader: ModelLoader;
  private readonly now: () => number;
  private readonly listeners = new Set<(e: RecognizerEvent) => void>();
  private readonly cache = new Map<string, Promise<LevelModels>>();
  private readonly frontend: LogMelFrontend;
  private readonly endpointer: Endpointer;
  private queue: Promise<void> = Promise.resolve();
  private models: LevelModels | null = null;
  private session: EncoderSession | null = null;
  private decoder: GreedyDecoder | null = null;
  private utterance: Emission[] = [];
  private lastPartial = '';
  private recent: { computeMs: number; audioMs: number }[] = [];
  /** arrival wall time of pushed feature frames: frames with index < until arrived at t */
  private arrivals: { until: number; t: number }[] = [];
  private framesPushed = 0;
  private framesConsumed = 0;
  private speechStartedAt: number | null = null;
  private firstTokenMs: number | null = null;
  private disposed = false;

  constructor(opts: RecognizerOptions) {
    this.manifest = opts.manifest;
    this.loader = opts.loader;
    this.now = opts.now ?? (() => performance.now());
    this.frontend = new LogMelFrontend(opts.manifest.frontend);
    this.endpointer = new Endpointer(opts.endpoint);
    if (opts.listener) this.listeners.add(opts.listener);
  }

  get level(): string {
    return this.models?.level.id ?? '';
  }

  /** First load; emits 'ready'. */
  async init(levelId: string): Promise<void> {
    const t0 = this.now();
    const models = await this.loadModels(levelId);
    this.install(models, 0);
    this.emit({ type: 'level', level: levelId, loadMs: this.now() - t0, fromCache: false });
    this.emit({ type: 'ready', backend: this.loader.backend, level: levelId });
  }

  on(listener: (e: RecognizerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  pushFeatures(frames: readonly Float32Array[]): Promise<void> {
    if (frames.length === 0) return this.enqueue(async () => {});
    const copy = frames.slice();
    return this.enqueue(async () => {
      this.framesPushed += copy.length;
      this.arrivals.push({ until: this.framesPushed, t: this.now() });
      this.requireSession().push(copy);
      await this.drain(false);
    });
  }

  pushAudio16k(samples: Float32Array): Promise<void> {
    return this.pushFeatures(this.frontend.push(samples));
  }

  flush(): Promise<void> {
    return this.enqueue(async () => {
      await this.drain(true);
      this.finalize();
      this.frontend.reset();
      this.requireSession().reset();
      this.decoder = this.newDecoder(this.requireModels(), 0);
      this.framesPushed = 0;
      this.framesConsumed = 0;
      this.arrivals = [];
    });
  }

  async setLevel(id: string): Promise<void> {
    findLevel(this.manifest, id);
    const t0 = this.now();
    const fromCache = this.cache.has(id);
    // Loading happens off the queue so audio keeps being decoded by the current level meanwhile.
    const models = await this.loadModels(id);
    await this.enqueue(async () => {
      if (this.models?.level.id === id) return;
      this.finalize();
      const pending = this.session?.takePending() ?? [];
      this.install(models, this.decoder?.framePosition ?? 0);
      this.requireSession().push(pending);
      this.emit({ type: 'level', level: id, loadMs: this.now() - t0, fromCache });
      await this.drain(false);
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.queue.catch(() => {});
    const all = await Promise.allSettled([...this.cache.values()]);
    for (const r of all) if (r.status === 'fulfilled') await r.value.dispose();
    this.cache.clear();
    this.listeners.clear();
  }

  private loadModels(id: string): Promise<LevelModels> {
    let p = this.cache.get(id);
    if (!p) {
      p = this.loader.load(findLevel(this.manifest, id));
      // A failed load must not poison the cache: the next attempt retries.
      p.catch(() => this.cache.delete(id));
      this.cache.set(id, p);
    }
    return p;
  }

  private install(models: LevelModels, startFrame: number): void {
    this.models = models;
    this.session = new EncoderSession(models.encoder, models.level.state, geometryOf(this.manifest));
    this.decoder = this.newDecoder(models, startFrame);
  }

  private newDecoder(models: LevelModels, startFrame: number): GreedyDecoder {
    return new GreedyDecoder(models.transducer, decoderConfigOf(this.manifest), startFrame);
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    if (this.disposed) return Promise.reject(new Error('recognizer disposed'));
    const run = this.queue.then(op);
    this.queue = run.catch((err: unknown) => {
      const e = toRecognizerError(err);
      this.emit({ type: 'error', code: e.code, message: e.message });
    });
    return run;
  }

  private async drain(endOfStream: boolean): Promise<void> {
    const session = this.requireSession();
    const decoder = this.decoder as GreedyDecoder;
    const models = this.requireModels();
    for (;;) {
      const t0 = this.now();
      const chunk = await session.step(endOfStream);
      if (!chunk) return;
      const emissions = await decoder.decode(chunk.encoderOut, chunk.frames);
      const computeMs = this.now() - t0;
      this.observeFrames(chunk.consumed);
      if (emissions.length > 0) this.endpointer.observeToken();
      this.utterance.push(...emissions);
      this.publishPartial();
      this.emitMetrics(models, computeMs, chunk.frames * ENCODER_FRAME_SECONDS * 1000);
      if (this.endpointer.shouldFinalize(this.lastPartial)) this.finalize();
    }
  }

  private observeFrames(frames: readonly Float32Array[]): void {
    for (const f of frames) {
      const index = this.framesConsumed++;
      const speech = this.endpointer.observeFrame(f);
      if (speech && this.speechStartedAt === null) this.speechStartedAt = this.arrivalOf(index);
    }
    const consumed = this.framesConsumed;
    while (this.arrivals.length > 1 && (this.arrivals[0]?.until ?? 0) <= consumed) this.arrivals.shift();
  }

  private arrivalOf(frameIndex: number): number {
    return this.arrivals.find((a) => frameIndex < a.until)?.t ?? this.now();
  }

  private publishPartial(): void {
    const m = this.manifest;
    const text = tokensToText(
      this.utterance.map((e) => e.token),
      m.vocabulary,
      m.blankId,
    );
    if (text === this.lastPartial) return;
    if (text.length > 0 && this.lastPartial.length === 0 && this.speechStartedAt !== null) {
      this.firstTokenMs = this.now() - this.speechStartedAt;
    }
    this.lastPartial = text;
    this.emit({ type: 'partial', text });
  }

  /** Turns the partial into a final line (if any) and starts a new utterance. */
  private finalize(): void {
    const text = this.lastPartial;
    if (text.length > 0) {
      const words = wordsFromEmissions(this.utterance, this.manifest.vocabulary);
      this.emit({ type: 'final', text, words, level: this.level });
      this.emit({ type: 'partial', text: '' });
    }
    this.utterance = [];
    this.lastPartial = '';
    this.speechStartedAt = null;
    this.decoder?.resetContext();
    this.endpointer.resetUtterance();
  }

  private emitMetrics(models: LevelModels, computeMs: number, audioMs: number): void {
    this.recent.push({ computeMs, audioMs });
    if (this.recent.length > RTF_WINDOW_CHUNKS) this.recent.shift();
    const c = this.recent.reduce((s, r) => s + r.computeMs, 0);
    const a = this.recent.reduce((s, r) => s + r.audioMs, 0);
    const metrics: ChunkMetrics = {
      level: models.level.id,
      backend: this.loader.backend,
      computeMs,
      audioMs,
      rtf: a > 0 ? c / a : 0,
      firstTokenMs: this.firstTokenMs,
      modelBytes: models.level.bytes.raw,
    };
    this.emit({ type: 'metrics', metrics });
  }

  private emit(e: RecognizerEvent): void {
    for (const l of this.listeners) l(e);
  }

  private requireModels(): LevelModels {
    if (!this.models) throw new Error('recognizer not initialised');
    return this.models;
  }

  private requireSession(): EncoderSession {
    if (!this.session) throw new Error('recognizer not initialised');
    return this.session;
  }
}

/** Loads the initial level (emitting 'level' and 'ready') and returns the recognizer. */
export async function createRecognizer(opts: RecognizerOptions): Promise<Recognizer> {
  const r = new StreamingRecognizer(opts);
  await r.init(opts.level ?? opts.manifest.defaultLevel);
  return r;
}

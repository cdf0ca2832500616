// The framework-free streaming recognizer used by the inference worker and the Node CLI: features (or 16 kHz audio)
// in, RecognizerEvents out. Runtime-agnostic: the ModelLoader decides whether ONNX runs in a browser or in Node.
//
// All work is serialized on one queue, so a level switch lands exactly between two chunks. Encoder states differ in
// shape between levels (structured pruning), so they cannot be carried: the new level starts from zeros and the last
// left-context of consumed frames (kept in a bounded ring) is replayed through it without decoding (replay.ts); the
// buffered (not yet consumed) frames then move to the new level's session, and the greedy decoder carries its frame
// position and token context over, so the utterance simply continues: nothing is finalized early or decoded twice.
//
// Finals can come from a second pass (final-pass.ts): the utterance's feature frames are kept since the last
// endpoint, and at the next one (or at flush) they are re-encoded in full-context mode by the current level's
// encoderFull and re-decoded, still on the queue, so a level switch or a flush that arrives meanwhile waits for the
// final and then finds the next utterance. The streaming text stays whenever the second pass has nothing better.

import { LogMelFrontend, featureToNaturalLog } from '../audio/frontend';
import { decoderConfigOf, GreedyDecoder, tokensToText, type Emission } from './decoder';
import { Endpointer, type EndpointOptions } from './endpoint';
import type { FullContextEncoder, LevelModels, ModelLoader, WhisperModel } from './engine';
import { RecognizerError, toRecognizerError } from './errors';
import { chooseFinal, runSecondPass, secondPassSkip, UtteranceFeatures, type FinalLine, type UtteranceAudio } from './final-pass';
import { availableFinalPasses, findLevel } from './manifest';
import { SpeechOnsetTracker } from './onset-latency';
import { FrameRing, replayCapacity, replaySeedStates } from './replay';
import { EncoderSession, geometryOf, replayPlan } from './session';
import type { ChunkMetrics, FinalPassKind, Manifest, RecognizerEvent } from './types';
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
  /**
   * Most feature frames a level switch replays (rounded up to whole chunks); defaults to the encoder's whole left
   * context (replayFrameCount), which is also the most that can matter. Less makes a switch proportionally cheaper
   * and the new level's first seconds less like an uninterrupted run; 0 starts it like a new stream (but at the
   * stream's position).
   */
  maxReplayFrames?: number;
  /**
   * The second pass that makes each final (default 'none': the streaming text). Must be one that
   * availableFinalPasses(manifest, level) lists; its models load before the recognizer is returned.
   */
  finalPass?: FinalPassKind;
}

/** Counters of the second pass, for diagnostics (not reset by flush). */
export interface FinalPassStats {
  /** second passes run (each one's text became the final unless it had no words) */
  runs: number;
  /** second passes that threw; their finals kept the streaming text and an 'error' event said why */
  failures: number;
  /** utterances longer than finalPass.maxFrames: no second pass, streaming text kept */
  overflows: number;
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
  readonly finalPass: FinalPassKind;
  /**
   * Loads (or reuses) what the pass needs (the current level's encoderFull; Whisper's files), then uses it from the
   * next final on. Rejects with 'model-missing' if the model does not offer it; the previous pass stays then.
   */
  setFinalPass(kind: FinalPassKind): Promise<void>;
  readonly finalPassStats: FinalPassStats;
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
  /** the most recent consumed feature frames, replayed into the new level's encoder on a switch */
  private readonly history: FrameRing;
  private utterance: Emission[] = [];
  private lastPartial = '';
  private recent: { computeMs: number; audioMs: number }[] = [];
  private framesConsumed = 0;
  /** speech onsets in the audio clock (frame indices); see onset-latency.ts for why a wall clock cannot be used here */
  private readonly onsets: SpeechOnsetTracker;
  private disposed = false;
  private finalPassKind: FinalPassKind = 'none';
  /** the current utterance's frames for the second pass; null when the manifest offers none */
  private readonly utteranceAudio: UtteranceFeatures | null;
  private readonly fullEncoders = new Map<string, Promise<FullContextEncoder>>();
  private whisper: Promise<WhisperModel> | null = null;
  private readonly passCounts = { runs: 0, failures: 0 };

  constructor(opts: RecognizerOptions) {
    this.manifest = opts.manifest;
    this.loader = opts.loader;
    this.now = opts.now ?? (() => performance.now());
    this.frontend = new LogMelFrontend(opts.manifest.frontend);
    const toLn = featureToNaturalLog(opts.manifest.frontend);
    this.endpointer = new Endpointer(opts.endpoint, toLn);
    this.history = new FrameRing(replayCapacity(opts.manifest, opts.maxReplayFrames), opts.manifest.featureDim);
    this.onsets = new SpeechOnsetTracker(opts.endpoint, toLn);
    // Buffered whenever the model has a second pass, even while 'none' is chosen: switching it on mid-utterance
    // then applies to that utterance too (at most maxFrames x featureDim floats, 0.9 MB for 30 s).
    this.utteranceAudio = opts.manifest.finalPass ? new UtteranceFeatures(opts.manifest.finalPass.maxFrames) : null;
    if (opts.listener) this.listeners.add(opts.listener);
  }

  get level(): string {
    return this.models?.level.id ?? '';
  }

  get finalPass(): FinalPassKind {
    return this.finalPassKind;
  }

  get finalPassStats(): FinalPassStats {
    return { ...this.passCounts, overflows: this.utteranceAudio?.overflows ?? 0 };
  }

  /** First load (and the second pass's models); emits 'ready'. */
  async init(levelId: string, finalPass: FinalPassKind): Promise<void> {
    const t0 = this.now();
    const models = await this.loadModels(levelId);
    this.install(models);
    // the level's own load time, as a switch reports it: the second pass's files are not part of it
    const loadMs = this.now() - t0;
    await this.prepareFinalPass(finalPass, levelId);
    this.finalPassKind = finalPass;
    this.emit({ type: 'level', level: levelId, loadMs, fromCache: false });
    this.emit({ type: 'ready', backend: this.loader.backend, level: levelId });
  }

  async setFinalPass(kind: FinalPassKind): Promise<void> {
    // Loading happens off the queue (Whisper is tens of MB): finals meanwhile come from the previous pass.
    await this.prepareFinalPass(kind, this.level);
    await this.enqueue(async () => {
      this.finalPassKind = kind;
    });
  }

  /** Loads what `kind` needs on `levelId`, or says why the model cannot run it. */
  private async prepareFinalPass(kind: FinalPassKind, levelId: string): Promise<void> {
    if (kind === 'none') return;
    const offered = availableFinalPasses(this.manifest, levelId);
    if (!offered.includes(kind)) {
      throw new RecognizerError(
        'model-missing',
        `this model offers no "${kind}" second pass on level ${levelId} (offered: ${offered.join(', ')}; see manifest finalPass)`,
      );
    }
    await this.fullEncoder(levelId);
    if (kind === 'whisper') await this.whisperModel();
  }

  on(listener: (e: RecognizerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  pushFeatures(frames: readonly Float32Array[]): Promise<void> {
    if (frames.length === 0) return this.enqueue(async () => {});
    const copy = frames.slice();
    return this.enqueue(async () => {
      this.onsets.observe(copy);
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
      await this.finalize(this.now());
      this.utteranceAudio?.reset(0);
      this.frontend.reset();
      this.requireSession().reset();
      this.history.clear(); // a new stream has no left context to replay
      this.decoder = this.newDecoder(this.requireModels(), 0);
      this.framesConsumed = 0;
      this.onsets.reset();
    });
  }

  async setLevel(id: string): Promise<void> {
    findLevel(this.manifest, id);
    const t0 = this.now();
    const fromCache = this.cache.has(id);
    // Loading happens off the queue so audio keeps being decoded by the current level meanwhile.
    const models = await this.loadModels(id);
    // The new level's full-context encoder too, so its first final need not wait for it. A failure shows at that
    // final (error event, streaming text kept), not here: the streaming switch itself is fine.
    if (this.finalPassKind !== 'none' && availableFinalPasses(this.manifest, id).includes(this.finalPassKind)) {
      this.fullEncoder(id).catch(() => {});
    }
    await this.enqueue(async () => {
      if (this.models?.level.id === id) return;
      const replay = await this.switchTo(models);
      this.emit({ type: 'level', level: id, loadMs: this.now() - t0, fromCache, replayFrames: replay.frames, replayMs: replay.ms });
      await this.drain(false);
    });
  }

  /**
   * Moves the stream to `models` at the current chunk boundary (we are on the queue, between two chunks). The new
   * session replays the retained history first; only once that succeeded does it take over the pending frames and
   * the decoder, so a failing encoder leaves the old level running with nothing lost.
   */
  private async switchTo(models: LevelModels): Promise<{ frames: number; ms: number }> {
    const old = this.requireSession();
    const geometry = geometryOf(this.manifest);
    const session = new EncoderSession(models.encoder, models.level.state, geometry);
    const history = this.history.frames();
    // the stream frame the replay starts at: its position counter must be the stream's there, not zero (replay.ts)
    const start = this.framesConsumed - history.length + replayPlan(history.length, geometry).skip;
    const t0 = this.now();
    const frames = await session.replay(history, old.peekPending(), replaySeedStates(this.manifest, models.level.state, start));
    const ms = this.now() - t0;
    session.push(old.takePending());
    this.models = models;
    this.session = session;
    this.decoder = (this.decoder as GreedyDecoder).withModel(models.transducer);
    return { frames, ms };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.queue.catch(() => {});
    const all = await Promise.allSettled([...this.cache.values(), ...this.fullEncoders.values(), ...(this.whisper ? [this.whisper] : [])]);
    for (const r of all) if (r.status === 'fulfilled') await r.value.dispose();
    this.cache.clear();
    this.fullEncoders.clear();
    this.whisper = null;
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

  /**
   * The level's full-context encoder, loaded once per file: levels that name the same file (a release whose second
   * pass reads Whisper's unchanged encoder at every level) share one session. Like levels, a failed load is retried.
   */
  private fullEncoder(id: string): Promise<FullContextEncoder> {
    const level = findLevel(this.manifest, id);
    const file = level.files.encoderFull;
    const key = file ? `${file.path}#${file.sha256}` : id;
    let p = this.fullEncoders.get(key);
    if (!p) {
      const load = this.loader.loadFullEncoder?.bind(this.loader);
      p = load ? load(level) : Promise.reject(new RecognizerError('internal', 'this runtime has no second pass'));
      p.catch(() => this.fullEncoders.delete(key));
      this.fullEncoders.set(key, p);
    }
    return p;
  }

  private whisperModel(): Promise<WhisperModel> {
    if (!this.whisper) {
      const load = this.loader.loadWhisper?.bind(this.loader);
      const p = load ? load() : Promise.reject(new RecognizerError('internal', 'this runtime has no Whisper second pass'));
      p.catch(() => {
        if (this.whisper === p) this.whisper = null;
      });
      this.whisper = p;
    }
    return this.whisper;
  }

  private install(models: LevelModels): void {
    this.models = models;
    this.session = new EncoderSession(models.encoder, models.level.state, geometryOf(this.manifest));
    this.decoder = this.newDecoder(models, 0);
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
      for (const f of chunk.consumed) this.endpointer.observeFrame(f);
      this.framesConsumed += chunk.consumed.length;
      this.history.push(chunk.consumed);
      if (emissions.length > 0) this.endpointer.observeToken();
      this.utterance.push(...emissions);
      // The chunk just decoded saw its look-ahead too: a partial may rest on frames up to here.
      this.publishPartial(this.framesConsumed + this.manifest.lookaheadFrames);
      this.utteranceAudio?.push(chunk.consumed, this.lastPartial.length > 0);
      this.onsets.prune(this.framesConsumed);
      this.emitMetrics(models, computeMs, chunk.frames * ENCODER_FRAME_SECONDS * 1000);
      if (this.endpointer.shouldFinalize(this.lastPartial)) {
        await this.finalize(this.now());
        // An endpoint (silence) starts the onset's next utterance (flush() resets the tracker with the stream).
        this.onsets.startUtterance(this.framesConsumed);
      }
    }
  }

  /**
   * Emits the partial if its text changed. The utterance's first non-empty partial carries the utterance's speech
   * onset (a frame index, the audio clock), so whoever shows it can time onset -> text on their own clock.
   */
  private publishPartial(seenEnd: number): void {
    const m = this.manifest;
    const text = tokensToText(
      this.utterance.map((e) => e.token),
      m.vocabulary,
      m.blankId,
    );
    if (text === this.lastPartial) return;
    const onsetFrame = text.length > 0 && this.lastPartial.length === 0 ? this.onsets.takeOnset(seenEnd) : null;
    this.lastPartial = text;
    this.emit(onsetFrame === null ? { type: 'partial', text } : { type: 'partial', text, onsetFrame });
  }

  /**
   * Turns the partial into a final line (if any; the second pass's text where it has some) and starts a new
   * utterance. `decidedAt`: when the endpoint (or flush) decided it, the start of the final's latency.
   */
  private async finalize(decidedAt: number): Promise<void> {
    const streamText = this.lastPartial;
    const audio = this.utteranceAudio?.take(this.framesConsumed) ?? null;
    // No text, no second pass: Whisper is known to hear words in silence, and there was no line to improve.
    if (streamText.length > 0) {
      const stream = { text: streamText, words: wordsFromEmissions(this.utterance, this.manifest.vocabulary) };
      const second = await this.secondPass(audio, this.utterance);
      const bounds = this.manifest.finalPass?.whisper;
      const { text, words, pass } = chooseFinal(stream, second, bounds?.minAvgLogprob, bounds?.minAvgLogprobOneWord);
      this.emit({ type: 'final', text, words, level: this.level, pass, streamText, finalLatencyMs: this.now() - decidedAt });
      this.emit({ type: 'partial', text: '' });
    }
    this.utterance = [];
    this.lastPartial = '';
    this.decoder?.resetContext();
    this.endpointer.resetUtterance();
  }

  /**
   * The chosen second pass on the utterance, on the current level (its encoderFull and, for 'transducer', its head).
   * Null when there is none to run; a failure is reported as an 'error' event and also gives null, so the final
   * keeps the streaming text.
   */
  private async secondPass(audio: UtteranceAudio | null, emissions: readonly Emission[]): Promise<FinalLine | null> {
    const kind = this.finalPassKind;
    const models = this.requireModels();
    if (kind === 'none' || !audio || secondPassSkip(kind, audio) !== null) return null;
    // a level switched to mid-stream may lack its full-context encoder: its finals stay streaming ones
    if (!availableFinalPasses(this.manifest, models.level.id).includes(kind)) return null;
    try {
      this.passCounts.runs++;
      return await runSecondPass(kind, audio, emissions, {
        manifest: this.manifest,
        encoder: await this.fullEncoder(models.level.id),
        transducer: models.transducer,
        whisper: () => this.whisperModel(),
      });
    } catch (err) {
      this.passCounts.failures++;
      const e = toRecognizerError(err);
      const message = `the ${kind} second pass failed, the final keeps the streaming text: ${e.message}`;
      this.emit({ type: 'error', code: e.code, message });
      return null;
    }
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
  try {
    await r.init(opts.level ?? opts.manifest.defaultLevel, opts.finalPass ?? 'none');
  } catch (err) {
    await r.dispose(); // what did load must not stay held
    throw err;
  }
  return r;
}

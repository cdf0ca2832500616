// The recognizer's public contract. Shared by the worker, the React UI (src/store, src/ui), the widget and the
// Node CLI. Keep it framework-free. Implementation lives in src/asr/* (see docs/contracts.md for the model side).

/** One entry of models/manifest.json `levels` (see docs/contracts.md §6). */
export interface ModelFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface StateSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int64';
}

export interface LevelInfo {
  id: string;
  label: string;
  sparsity: number;
  granularity: 'structured' | 'unstructured';
  nonzeroParams: number;
  totalParams: number;
  /** the streaming files; finalPassGzip: this level's encoderFull, fetched only when a second pass is chosen */
  bytes: { raw: number; gzip: number; finalPassGzip?: number };
  flopsPerSecond: number;
  dev: { wer: number | null; cer: number | null; set: string };
  files: {
    encoder: ModelFile;
    predictor: ModelFile;
    joiner: ModelFile;
    /**
     * The same weights in full-context mode, for the second pass at an endpoint (docs/contracts.md §7): `features`
     * [1, T, 80] -> `hidden` [1, U, 384] (what Whisper's decoder reads) and `encoder_out` [1, floor(U/2), J].
     */
    encoderFull?: ModelFile;
  };
  state: StateSpec[];
  /** this level's joiner width (structured pruning shrinks it; Manifest.joinerDim is the dense width) */
  joinerDim?: number;
  layerSparsity?: number[];
  /** how the weights are stored: 'none' (float32), 'int8' (per-channel int8 weights) or 'fp16' (cast to float32 at load) */
  quantization?: string;
  /**
   * What the exported joiner already subtracts from the blank logit (chosen on real dev speech, docs/contracts.md §5).
   * A record, not an instruction: decoders must not apply it again.
   */
  blankPenalty?: number;
}

/** models/frontend.json (docs/contracts.md §1): version 1 (HTK, natural log) or version 2 (Whisper log-mel). */
export interface FrontendSpec {
  version: number;
  sampleRate: number;
  nFft: number;
  winLength: number;
  hopLength: number;
  window: 'hann_periodic';
  center: boolean;
  preemphasis: number;
  dither: number;
  nMels: number;
  fMin: number;
  fMax: number;
  /** 'htk' (version 1) or 'slaney' (version 2, Whisper) */
  melScale: 'htk' | 'slaney';
  /** null (version 1) or 'slaney' area normalisation (version 2) */
  melNorm: null | 'slaney';
  power: number;
  logOffset: number;
  /** 'natural': ln(mel + logOffset) (version 1); 'whisper': (max(log10(max(mel, logOffset)), logFloor) + 4) / 4 */
  log: 'natural' | 'whisper';
  /** whisper log only (and required by it): fixed floor on log10(mel), Whisper's per-utterance `max - 8` made streamable */
  logFloor?: number;
}

export interface Manifest {
  formatVersion: number;
  name: string;
  frontend: FrontendSpec;
  vocabulary: string[];
  blankId: number;
  featureDim: number;
  subsampling: number;
  segmentFrames: number;
  lookaheadFrames: number;
  chunkInputFrames: number;
  encoderFramesPerChunk: number;
  leftContextFrames: number;
  padValue: number;
  contextSize: number;
  maxSymbolsPerFrame: number;
  joinerDim: number;
  defaultLevel: string;
  levels: LevelInfo[];
  /** formatVersion 2: the streaming geometry in milliseconds and the position scheme */
  stream?: StreamInfo;
  /** the second pass at each endpoint; absent: only 'none' is offered (availableFinalPasses in manifest.ts) */
  finalPass?: FinalPassInfo;
}

/** manifest.json `finalPass` (docs/contracts.md §7). */
export interface FinalPassInfo {
  /** feature frames (10 ms) the full-context encoder accepts; a longer utterance keeps its streaming text */
  maxFrames: number;
  /**
   * silence frames (padValue) appended to the utterance before the full-context encoder reads it, within maxFrames
   * (0 when absent): Whisper's decoder, trained on 30 s windows, loops when it does not see the audio end
   */
  silencePadFrames?: number;
  /** Whisper tiny.en's own decoder; fetched only when the 'whisper' second pass is chosen */
  whisper?: WhisperInfo;
}

export interface WhisperInfo {
  /** `hidden` [1, U, dModel] -> cross_k0, cross_v0, ... [1, U, dModel] */
  cross: ModelFile;
  /** tokens + self-attention caches + cross caches -> logits of the last token and the grown caches */
  decoder: ModelFile;
  /** tokens.json: byte-level BPE vocabulary and the special ids (src/asr/whisper-tokens.ts) */
  tokens: ModelFile;
  layers: number;
  dModel: number;
  vocabSize: number;
  /** most tokens generated per utterance */
  maxTokens: number;
  /**
   * A loop guard: at most floor(baseTokens + tokensPerSecond x the utterance's seconds) tokens (silence padding not
   * counted), never more than maxTokens. Absent: maxTokens and 0, i.e. only maxTokens bounds it.
   */
  baseTokens?: number;
  tokensPerSecond?: number;
  /**
   * A Whisper line whose mean token log-probability is below this keeps the streaming text (src/asr/final-pass.ts
   * chooseFinal). Absent: every Whisper line with words is kept.
   */
  minAvgLogprob?: number;
  /**
   * The bound for a Whisper line of one word (after normalizeWhisperText), stricter than minAvgLogprob: a lone word
   * is where Whisper writes a likely word it did not hear. Absent: minAvgLogprob applies to every line.
   */
  minAvgLogprobOneWord?: number;
  quantization?: string;
  bytes: { raw: number; gzip: number };
  license: string;
}

/**
 * Which second pass turns an endpointed utterance into its final line: 'none' keeps the streaming text,
 * 'transducer' re-decodes the full-context encoder output with the level's own head (no extra download),
 * 'whisper' runs Whisper tiny.en's decoder on it (downloaded when first chosen; cased and punctuated text).
 */
export type FinalPassKind = 'none' | 'transducer' | 'whisper';

/** Where a final line's text came from: the streaming partial, or the second pass that replaced it. */
export type FinalTextSource = 'stream' | 'transducer' | 'whisper';

export interface StreamInfo {
  chunkMs: number;
  rightContextMs: number;
  leftContextMs: number;
  /** 'wrap': positions are taken modulo `table` rows, so a stream never runs off the table */
  positions: { scheme: string; table: number };
}

export type BackendName = 'webgpu' | 'wasm' | 'wasm-threaded' | 'node-cpu';

export interface WordTiming {
  word: string;
  /** seconds from the start of the stream */
  start: number;
  end: number;
  /**
   * true when the time is an estimate, not where the model emitted the word: a Whisper final's words are spread
   * evenly over the span in which the streaming pass emitted text (Whisper's decoder gives no timings)
   */
  approximate?: boolean;
}

export interface Transcript {
  /** finalized lines, oldest first; never rewritten once final */
  finals: { text: string; words: WordTiming[]; level: string }[];
  /** the current partial hypothesis (not yet endpointed) */
  partial: string;
}

export interface ChunkMetrics {
  level: string;
  backend: BackendName;
  /** wall ms spent computing this chunk (encoder + decoding) */
  computeMs: number;
  /** audio ms this chunk represents */
  audioMs: number;
  /** running real-time factor (compute / audio) over the last few seconds */
  rtf: number;
  modelBytes: number;
}

/** What a transcribed file was: its length, and what was wrong with it but survivable (a WAV cut short). */
export interface FileReport {
  audioSeconds: number;
  warnings: string[];
}

export type RecognizerStatus = 'idle' | 'loading' | 'listening' | 'file' | 'stopping';

export type RecognizerEvent =
  | { type: 'ready'; backend: BackendName; level: string }
  | { type: 'status'; status: RecognizerStatus }
  | {
      type: 'partial';
      text: string;
      /**
       * Only on an utterance's first non-empty partial: the utterance's speech onset, as the index of its first
       * speech-like feature frame in this stream (10 ms frames since the stream started; the audio clock). Absent when
       * the text did not follow an onset (e.g. a model emitting on noise). Set by the Recognizer.
       */
      onsetFrame?: number;
      /**
       * The same onset on the page's performance.now() clock: when that audio was captured. Set by the browser client
       * for microphone input only (a file has no capture time). See src/asr/onset-latency.ts.
       */
      onsetAt?: number;
    }
  | {
      type: 'final';
      text: string;
      words: WordTiming[];
      level: string;
      /**
       * Which pass produced `text`. The Recognizer sets this and the two fields below on every final; they are
       * optional only so that events made elsewhere (older workers, tests) stay valid. Absent means 'stream'.
       */
      pass?: FinalTextSource;
      /** the streaming partial this final replaced (equal to `text` when pass is 'stream') */
      streamText?: string;
      /** wall ms from the endpoint decision (or flush) until this final was ready: the second pass's cost */
      finalLatencyMs?: number;
    }
  | { type: 'metrics'; metrics: ChunkMetrics }
  | {
      type: 'level';
      level: string;
      /** ms from the setLevel call until the new level runs: loading (or the cache hit), the queue wait, the replay */
      loadMs: number;
      fromCache: boolean;
      /**
       * A switch mid-stream rebuilds the new level's encoder state by running the last left-context of audio through
       * it again (src/asr/replay.ts): the feature frames replayed and the ms it took. Absent on the first load.
       */
      replayFrames?: number;
      replayMs?: number;
    }
  | { type: 'error'; code: RecognizerErrorCode; message: string };

export type RecognizerErrorCode =
  | 'mic-denied'
  | 'mic-missing'
  | 'mic-lost'
  | 'no-audioworklet'
  | 'no-wasm'
  | 'model-missing'
  | 'model-corrupt'
  | 'decode-failed'
  | 'internal';

export type BackendChoice = 'auto' | 'webgpu' | 'wasm' | 'wasm-threaded';

/**
 * The main-thread handle the UI and the widget use (implemented in src/asr/client.ts; it owns the inference Worker
 * and the audio capture). Every failure is reported both as a rejected promise and as an 'error' event.
 */
export interface RecognizerClient {
  readonly manifest: Manifest | null;
  /**
   * `finalPass` (default 'none'): a pass the model does not offer, or whose files fail to load, is reported as an
   * 'error' event and finals stay streaming ones; the load itself still succeeds.
   */
  load(manifestUrl: string, opts?: { level?: string; backend?: BackendChoice; finalPass?: FinalPassKind }): Promise<Manifest>;
  startMicrophone(): Promise<void>;
  stopMicrophone(): Promise<void>;
  /**
   * Streams a file through the same resampler/front end/worker path; resolves once fully flushed. WAV is read by the
   * app's own streaming reader (the CLI's: same samples, flat memory, truncation reported), anything else by the
   * browser's decodeAudioData.
   */
  transcribeFile(file: Blob): Promise<FileReport>;
  setLevel(id: string): Promise<void>;
  on(listener: (e: RecognizerEvent) => void): () => void;
  dispose(): void;
}

/**
 * Choosing the second pass on a loaded client (src/asr/client.ts implements it; optional on a RecognizerClient, as
 * test fakes lack it). Resolves once the chosen pass's models are loaded and the next final uses it; offer only
 * what availableFinalPasses(manifest) lists.
 */
export interface FinalPassSetter {
  setFinalPass(pass: FinalPassKind): Promise<void>;
}

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
  bytes: { raw: number; gzip: number };
  flopsPerSecond: number;
  dev: { wer: number | null; cer: number | null; set: string };
  files: { encoder: ModelFile; predictor: ModelFile; joiner: ModelFile };
  state: StateSpec[];
  /** this level's joiner width (structured pruning shrinks it; Manifest.joinerDim is the dense width) */
  joinerDim?: number;
  layerSparsity?: number[];
  /** how the weights are stored: 'none' (float32), 'int8' (per-channel int8 weights) or 'fp16' (cast to float32 at load) */
  quantization?: string;
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
}

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
  | { type: 'final'; text: string; words: WordTiming[]; level: string }
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
  load(manifestUrl: string, opts?: { level?: string; backend?: BackendChoice }): Promise<Manifest>;
  startMicrophone(): Promise<void>;
  stopMicrophone(): Promise<void>;
  /** Streams a decoded file through the same resampler/front end/worker path; resolves once fully flushed. */
  transcribeFile(file: Blob): Promise<void>;
  setLevel(id: string): Promise<void>;
  on(listener: (e: RecognizerEvent) => void): () => void;
  dispose(): void;
}

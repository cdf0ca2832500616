// What bench/browser-bench.spec.ts sends to and gets back from the bench page (window.omnisparseBench.run).

import type { FinalPassLatency } from '../lib/final-pass-run';
import type { LevelTiming } from '../lib/stream-run';

export type PageBackend = 'wasm' | 'wasm-threaded' | 'webgpu';

export interface PageRequest {
  backend: PageBackend;
  /** null = every level in the manifest */
  levels: string[] | null;
  runs: number;
  warmup: number;
  /** mono input audio and its rate (fed through the app's FeaturePipeline in the page) */
  samples: number[];
  sampleRate: number;
  /** seconds of silence before speech in `samples` */
  onsetSeconds: number;
  /** the real-time-paced first-token run takes as long as the audio; skipped where the backend is not meaningful */
  firstToken: boolean;
  /** time every second pass the dense level offers (bench/lib/final-pass-run.ts; Whisper takes seconds per line) */
  finalPasses: boolean;
}

export interface PageLevel extends LevelTiming {
  id: string;
  sparsity: number;
  loadMs: number;
  bytes: number;
}

export interface FirstToken {
  level: string;
  /** wall ms from pushing the block holding the speech onset to the first non-empty partial after it */
  afterOnsetMs: number | null;
  /** true when a non-empty partial already existed before the onset (untrained models emit on silence) */
  partialBeforeOnset: boolean;
  /**
   * The app's "speech onset -> first text" definition (src/asr/onset-latency.ts) minus the paint: the first
   * speech-like frame (endpointer threshold), timed by when its block was pushed, to the first partial event. Replaces
   * recognizerFirstTokenMs (ChunkMetrics.firstTokenMs, removed: it started at the worker's arrival of the onset batch).
   */
  energyOnsetToPartialMs: number | null;
}

export interface PageResult {
  backend: string;
  crossOriginIsolated: boolean;
  wasmThreads: number;
  hardwareConcurrency: number;
  adapter: { vendor: string; architecture: string; description: string; isFallbackAdapter: boolean | null } | null;
  frontendMsPerChunk: number;
  levels: PageLevel[];
  /** replayMs / replayFrames: the left-context replay inside the switch (the 'level' event's fields) */
  switchFromCacheMs: { to: string; eventLoadMs: number; wallMs: number; replayMs?: number; replayFrames?: number }[];
  firstToken: FirstToken | null;
  finalPasses: FinalPassLatency[] | null;
}

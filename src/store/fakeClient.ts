// A scriptable in-memory RecognizerClient for unit tests of the store, the hook and the widget.
import type { LevelMeasurement, LevelMeasurer } from '../asr/measure';
import type { FileReport, FinalPassKind, FinalPassSetter, LevelInfo, Manifest, RecognizerClient, RecognizerEvent } from '../asr/types';

export function fakeLevel(id: string, sparsity: number): LevelInfo {
  const file = (name: string) => ({ path: `levels/${id}/${name}.onnx`, sha256: '0'.repeat(64), bytes: 1000 });
  return {
    id,
    label: `${Math.round(sparsity * 100)} % sparse`,
    sparsity,
    granularity: 'structured',
    nonzeroParams: Math.round(1_000_000 * (1 - sparsity)),
    totalParams: Math.round(1_000_000 * (1 - sparsity)),
    bytes: { raw: Math.round(4_000_000 * (1 - sparsity)), gzip: Math.round(3_600_000 * (1 - sparsity)) },
    flopsPerSecond: 1e8,
    dev: { wer: 0.1 + sparsity / 5, cer: 0.05, set: 'fake' },
    files: { encoder: file('encoder'), predictor: file('predictor'), joiner: file('joiner') },
    state: [{ name: 'att_mask', shape: [1, 16], dtype: 'float32' }],
  };
}

export function fakeManifest(levelIds: [string, number][] = [['s0', 0], ['s50', 0.5], ['s80', 0.8]]): Manifest {
  return {
    formatVersion: 1,
    name: 'fake',
    frontend: {
      version: 1, sampleRate: 16000, nFft: 512, winLength: 400, hopLength: 160, window: 'hann_periodic',
      center: false, preemphasis: 0, dither: 0, nMels: 80, fMin: 20, fMax: 8000, melScale: 'htk', melNorm: null,
      power: 2, logOffset: 1e-6, log: 'natural',
    },
    vocabulary: ['<blank>', ' ', "'", ...'abcdefghijklmnopqrstuvwxyz'],
    blankId: 0,
    featureDim: 80,
    subsampling: 4,
    segmentFrames: 16,
    lookaheadFrames: 4,
    chunkInputFrames: 20,
    encoderFramesPerChunk: 4,
    leftContextFrames: 16,
    padValue: Math.log(1e-6),
    contextSize: 2,
    maxSymbolsPerFrame: 5,
    joinerDim: 256,
    defaultLevel: levelIds[1]?.[0] ?? levelIds[0]![0],
    levels: levelIds.map(([id, s]) => fakeLevel(id, s)),
  };
}

/**
 * The manifest with a second pass (contracts §7) on the given levels: a full-context encoder each (its gzip size in
 * `bytes.finalPassGzip`, as the exporter writes it) and, with `whisper`, Whisper's decoder.
 */
export function withFinalPass(m: Manifest, opts: { levels?: string[]; whisper?: boolean } = {}): Manifest {
  const on = new Set(opts.levels ?? m.levels.map((l) => l.id));
  const file = (path: string, bytes: number) => ({ path, sha256: '0'.repeat(64), bytes });
  return {
    ...m,
    levels: m.levels.map((l) =>
      on.has(l.id)
        ? {
            ...l,
            bytes: { ...l.bytes, finalPassGzip: 7_500_000 } as LevelInfo['bytes'],
            files: { ...l.files, encoderFull: file(`levels/${l.id}/encoder_full.onnx`, 9_000_000) },
          }
        : l,
    ),
    finalPass: {
      maxFrames: 3000,
      ...(opts.whisper === false
        ? {}
        : {
            whisper: {
              cross: file('whisper/cross.onnx', 1_200_000),
              decoder: file('whisper/decoder.onnx', 29_400_000),
              tokens: file('whisper/tokens.json', 580_000),
              layers: 4, dModel: 384, vocabSize: 51864, maxTokens: 224,
              bytes: { raw: 31_200_000, gzip: 21_000_000 },
              license: 'MIT',
            },
          }),
    },
  };
}

type Impl = () => Promise<unknown>;

export class FakeClient implements RecognizerClient, LevelMeasurer, FinalPassSetter {
  manifest: Manifest | null = null;
  readonly calls: string[] = [];
  disposed = false;
  private listeners = new Set<(e: RecognizerEvent) => void>();
  /** override to make a call fail or hang */
  impl: Partial<Record<'load' | 'startMicrophone' | 'stopMicrophone' | 'transcribeFile' | 'setLevel' | 'setFinalPass', Impl>> = {};

  constructor(private readonly fixture: Manifest = fakeManifest()) {}

  emit(e: RecognizerEvent): void {
    for (const l of this.listeners) l(e);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  async load(url: string, opts?: { level?: string; backend?: string; finalPass?: FinalPassKind }): Promise<Manifest> {
    this.calls.push(`load ${url} ${opts?.level ?? '-'} ${opts?.backend ?? '-'}${opts?.finalPass ? ` ${opts.finalPass}` : ''}`);
    await this.impl.load?.();
    this.manifest = this.fixture;
    return this.fixture;
  }

  async startMicrophone(): Promise<void> {
    this.calls.push('startMicrophone');
    await this.impl.startMicrophone?.();
    this.emit({ type: 'status', status: 'listening' });
  }

  async stopMicrophone(): Promise<void> {
    this.calls.push('stopMicrophone');
    await this.impl.stopMicrophone?.();
    this.emit({ type: 'status', status: 'idle' });
  }

  async transcribeFile(file: Blob): Promise<FileReport> {
    this.calls.push(`transcribeFile ${file.size}`);
    const report = await this.impl.transcribeFile?.();
    return report && typeof report === 'object' && 'warnings' in report ? (report as FileReport) : { audioSeconds: 1, warnings: [] };
  }

  async setLevel(id: string): Promise<void> {
    this.calls.push(`setLevel ${id}`);
    await this.impl.setLevel?.();
    this.emit({ type: 'level', level: id, loadMs: 5, fromCache: false });
  }

  async setFinalPass(pass: FinalPassKind): Promise<void> {
    this.calls.push(`setFinalPass ${pass}`);
    await this.impl.setFinalPass?.();
  }

  /** per-level chunk time of measureLevel (default 10 ms); override measureImpl to fail or hang */
  measureChunkMs: Record<string, number> = {};
  measureImpl: ((id: string) => Promise<void>) | null = null;

  async measureLevel(id: string): Promise<LevelMeasurement> {
    this.calls.push(`measureLevel ${id}`);
    await this.measureImpl?.(id);
    const ms = this.measureChunkMs[id] ?? 10;
    return { level: id, backend: 'wasm', loadMs: 5, warmupChunks: 2, chunkMs: [ms, ms, ms], chunkAudioMs: [160, 160, 160] };
  }

  cancelMeasure(): void {
    this.calls.push('cancelMeasure');
  }

  on(listener: (e: RecognizerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    this.disposed = true;
    this.calls.push('dispose');
  }
}

/** A promise with its resolve/reject exposed, to hold a fake call open. */
export function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

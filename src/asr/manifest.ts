// Loads and validates models/manifest.json (docs/contracts.md §6). Validation names the first bad field so a
// broken export is diagnosed from the error message alone.

import { FrontendSpecError, checkFrontendSpec, silenceValue } from '../audio/frontend';
import { RecognizerError } from './errors';
import type {
  FinalPassInfo,
  FinalPassKind,
  FrontendSpec,
  LevelInfo,
  Manifest,
  ModelFile,
  StateSpec,
  StreamInfo,
  WhisperInfo,
} from './types';

export class ManifestError extends RecognizerError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super('model-corrupt', `manifest.json: field "${field}" ${problem}`);
    this.name = 'ManifestError';
  }
}

type Json = Record<string, unknown>;

function obj(v: unknown, field: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ManifestError(field, 'must be an object');
  return v as Json;
}
function num(o: Json, key: string, path: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ManifestError(`${path}${key}`, 'must be a finite number');
  return v;
}
function int(o: Json, key: string, path: string, min = 0): number {
  const v = num(o, key, path);
  if (!Number.isInteger(v) || v < min) throw new ManifestError(`${path}${key}`, `must be an integer >= ${min}`);
  return v;
}
function str(o: Json, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) throw new ManifestError(`${path}${key}`, 'must be a non-empty string');
  return v;
}
function arr(o: Json, key: string, path: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new ManifestError(`${path}${key}`, 'must be an array');
  return v;
}
function nonNegative(o: Json, key: string, path: string): number {
  const v = num(o, key, path);
  if (v < 0) throw new ManifestError(`${path}${key}`, 'must be >= 0');
  return v;
}
function nonPositive(o: Json, key: string, path: string): number {
  const v = num(o, key, path);
  if (v > 0) throw new ManifestError(`${path}${key}`, 'must be <= 0 (a log-probability)');
  return v;
}
function nullableNum(o: Json, key: string, path: string): number | null {
  return o[key] === null || o[key] === undefined ? null : num(o, key, path);
}

function parseFile(v: unknown, path: string): ModelFile {
  const o = obj(v, path);
  const sha256 = str(o, 'sha256', `${path}.`);
  if (!/^[0-9a-f]{64}$/i.test(sha256)) throw new ManifestError(`${path}.sha256`, 'must be 64 hex digits');
  return { path: str(o, 'path', `${path}.`), sha256: sha256.toLowerCase(), bytes: int(o, 'bytes', `${path}.`) };
}

function parseState(v: unknown, path: string): StateSpec {
  const o = obj(v, path);
  const shape = arr(o, 'shape', `${path}.`);
  shape.forEach((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) throw new ManifestError(`${path}.shape[${i}]`, 'must be an integer >= 0');
  });
  const dtype = o.dtype;
  if (dtype !== 'float32' && dtype !== 'int64') throw new ManifestError(`${path}.dtype`, 'must be "float32" or "int64"');
  return { name: str(o, 'name', `${path}.`), shape: shape as number[], dtype };
}

function parseLevel(v: unknown, path: string): LevelInfo {
  const o = obj(v, path);
  const p = `${path}.`;
  const sparsity = num(o, 'sparsity', p);
  if (sparsity < 0 || sparsity >= 1) throw new ManifestError(`${p}sparsity`, 'must be in [0, 1)');
  const granularity = o.granularity;
  if (granularity !== 'structured' && granularity !== 'unstructured') {
    throw new ManifestError(`${p}granularity`, 'must be "structured" or "unstructured"');
  }
  const bytes = obj(o.bytes, `${p}bytes`);
  const dev = obj(o.dev, `${p}dev`);
  const files = obj(o.files, `${p}files`);
  const layerSparsity = o.layerSparsity === undefined ? undefined : arr(o, 'layerSparsity', p);
  layerSparsity?.forEach((x, i) => {
    if (typeof x !== 'number') throw new ManifestError(`${p}layerSparsity[${i}]`, 'must be a number');
  });
  const level: LevelInfo = {
    id: str(o, 'id', p),
    label: str(o, 'label', p),
    sparsity,
    granularity,
    nonzeroParams: int(o, 'nonzeroParams', p),
    totalParams: int(o, 'totalParams', p),
    bytes: {
      raw: int(bytes, 'raw', `${p}bytes.`),
      gzip: int(bytes, 'gzip', `${p}bytes.`),
      ...(bytes.finalPassGzip === undefined ? {} : { finalPassGzip: int(bytes, 'finalPassGzip', `${p}bytes.`) }),
    },
    flopsPerSecond: num(o, 'flopsPerSecond', p),
    dev: {
      wer: nullableNum(dev, 'wer', `${p}dev.`),
      cer: nullableNum(dev, 'cer', `${p}dev.`),
      set: typeof dev.set === 'string' ? dev.set : '',
    },
    files: {
      encoder: parseFile(files.encoder, `${p}files.encoder`),
      predictor: parseFile(files.predictor, `${p}files.predictor`),
      joiner: parseFile(files.joiner, `${p}files.joiner`),
    },
    state: arr(o, 'state', p).map((s, i) => parseState(s, `${p}state[${i}]`)),
  };
  if (files.encoderFull !== undefined) level.files.encoderFull = parseFile(files.encoderFull, `${p}files.encoderFull`);
  if (typeof o.quantization === 'string') level.quantization = o.quantization;
  if (o.blankPenalty !== undefined) level.blankPenalty = nonNegative(o, 'blankPenalty', p);
  if (layerSparsity) level.layerSparsity = layerSparsity as number[];
  return level;
}

function parseFrontend(v: unknown): FrontendSpec {
  const o = obj(v, 'frontend');
  const p = 'frontend.';
  const fixed = <K extends keyof FrontendSpec>(key: K, allowed: readonly unknown[]): FrontendSpec[K] => {
    if (!allowed.includes(o[key])) throw new ManifestError(`${p}${key}`, `must be one of ${JSON.stringify(allowed)}`);
    return o[key] as FrontendSpec[K];
  };
  const spec: FrontendSpec = {
    version: int(o, 'version', p, 1),
    sampleRate: int(o, 'sampleRate', p, 1),
    nFft: int(o, 'nFft', p, 2),
    winLength: int(o, 'winLength', p, 1),
    hopLength: int(o, 'hopLength', p, 1),
    window: fixed('window', ['hann_periodic']),
    center: fixed('center', [false]),
    preemphasis: num(o, 'preemphasis', p),
    dither: num(o, 'dither', p),
    nMels: int(o, 'nMels', p, 1),
    fMin: num(o, 'fMin', p),
    fMax: num(o, 'fMax', p),
    melScale: fixed('melScale', ['htk', 'slaney']),
    melNorm: fixed('melNorm', [null, 'slaney']),
    power: num(o, 'power', p),
    logOffset: num(o, 'logOffset', p),
    log: fixed('log', ['natural', 'whisper']),
  };
  // absent (or null, as Python's to_json never writes it) in version 1 specs
  if (o.logFloor !== undefined && o.logFloor !== null) spec.logFloor = num(o, 'logFloor', p);
  try {
    checkFrontendSpec(spec); // the combinations the front end implements (version 1 or 2)
  } catch (e) {
    if (e instanceof FrontendSpecError) throw new ManifestError(`${p}${e.field}`, e.problem);
    throw e;
  }
  return spec;
}

/** Validates parsed JSON against the manifest schema; throws ManifestError naming the first bad field. */
export function parseManifest(json: unknown): Manifest {
  const o = obj(json, '(root)');
  const formatVersion = int(o, 'formatVersion', '', 1);
  if (formatVersion !== 1 && formatVersion !== 2) {
    throw new ManifestError('formatVersion', `is ${formatVersion}, this app reads versions 1 and 2`);
  }
  const vocabulary = arr(o, 'vocabulary', '');
  vocabulary.forEach((t, i) => {
    if (typeof t !== 'string') throw new ManifestError(`vocabulary[${i}]`, 'must be a string');
  });
  const m: Manifest = {
    formatVersion,
    name: str(o, 'name', ''),
    frontend: parseFrontend(o.frontend),
    vocabulary: vocabulary as string[],
    blankId: int(o, 'blankId', ''),
    featureDim: int(o, 'featureDim', '', 1),
    subsampling: int(o, 'subsampling', '', 1),
    segmentFrames: int(o, 'segmentFrames', '', 1),
    lookaheadFrames: int(o, 'lookaheadFrames', ''),
    chunkInputFrames: int(o, 'chunkInputFrames', '', 1),
    encoderFramesPerChunk: int(o, 'encoderFramesPerChunk', '', 1),
    leftContextFrames: int(o, 'leftContextFrames', ''),
    padValue: num(o, 'padValue', ''),
    contextSize: int(o, 'contextSize', '', 1),
    maxSymbolsPerFrame: int(o, 'maxSymbolsPerFrame', '', 1),
    joinerDim: int(o, 'joinerDim', '', 1),
    defaultLevel: str(o, 'defaultLevel', ''),
    levels: arr(o, 'levels', '').map((l, i) => parseLevel(l, `levels[${i}]`)),
  };
  if (formatVersion === 2) m.stream = parseStream(o.stream);
  if (o.finalPass !== undefined) m.finalPass = parseFinalPass(o.finalPass);
  checkConsistency(m);
  return m;
}

/** The optional second pass (contracts §7). Every field is checked here so a half-written export fails at load. */
function parseFinalPass(v: unknown): FinalPassInfo {
  const o = obj(v, 'finalPass');
  const info: FinalPassInfo = { maxFrames: int(o, 'maxFrames', 'finalPass.', 1) };
  if (o.silencePadFrames !== undefined) info.silencePadFrames = int(o, 'silencePadFrames', 'finalPass.');
  if (o.whisper !== undefined) info.whisper = parseWhisper(o.whisper);
  return info;
}

function parseWhisper(v: unknown): WhisperInfo {
  const p = 'finalPass.whisper.';
  const o = obj(v, 'finalPass.whisper');
  const bytes = obj(o.bytes, `${p}bytes`);
  const info: WhisperInfo = {
    cross: parseFile(o.cross, `${p}cross`),
    decoder: parseFile(o.decoder, `${p}decoder`),
    tokens: parseFile(o.tokens, `${p}tokens`),
    layers: int(o, 'layers', p, 1),
    dModel: int(o, 'dModel', p, 1),
    vocabSize: int(o, 'vocabSize', p, 1),
    maxTokens: int(o, 'maxTokens', p, 1),
    bytes: { raw: int(bytes, 'raw', `${p}bytes.`), gzip: int(bytes, 'gzip', `${p}bytes.`) },
    license: str(o, 'license', p),
  };
  if (o.quantization !== undefined) info.quantization = str(o, 'quantization', p);
  if (o.baseTokens !== undefined) info.baseTokens = nonNegative(o, 'baseTokens', p);
  if (o.tokensPerSecond !== undefined) info.tokensPerSecond = nonNegative(o, 'tokensPerSecond', p);
  if (o.minAvgLogprob !== undefined) info.minAvgLogprob = nonPositive(o, 'minAvgLogprob', p);
  if (o.minAvgLogprobOneWord !== undefined) info.minAvgLogprobOneWord = nonPositive(o, 'minAvgLogprobOneWord', p);
  return info;
}

/** Version 2's streaming geometry in milliseconds, for display (the chunk arithmetic uses the frame counts). */
function parseStream(v: unknown): StreamInfo {
  const o = obj(v, 'stream');
  const positions = obj(o.positions, 'stream.positions');
  return {
    chunkMs: num(o, 'chunkMs', 'stream.'),
    rightContextMs: num(o, 'rightContextMs', 'stream.'),
    leftContextMs: num(o, 'leftContextMs', 'stream.'),
    positions: { scheme: str(positions, 'scheme', 'stream.positions.'), table: int(positions, 'table', 'stream.positions.', 1) },
  };
}

/** Cross-field rules: the streaming arithmetic in session.ts relies on every one of them. */
function checkConsistency(m: Manifest): void {
  if (m.blankId >= m.vocabulary.length) throw new ManifestError('blankId', 'is outside the vocabulary');
  // the end of a stream is padded with padValue: it must be what the front end computes for digital silence
  if (Math.abs(m.padValue - silenceValue(m.frontend)) > 1e-6) {
    throw new ManifestError('padValue', `must equal the front end's value for silence (${silenceValue(m.frontend)})`);
  }
  if (m.featureDim !== m.frontend.nMels) throw new ManifestError('featureDim', 'must equal frontend.nMels');
  if (m.chunkInputFrames !== m.segmentFrames + m.lookaheadFrames) {
    throw new ManifestError('chunkInputFrames', 'must equal segmentFrames + lookaheadFrames');
  }
  if (m.segmentFrames % m.subsampling !== 0) throw new ManifestError('segmentFrames', 'must be a multiple of subsampling');
  if (m.encoderFramesPerChunk !== m.segmentFrames / m.subsampling) {
    throw new ManifestError('encoderFramesPerChunk', 'must equal segmentFrames / subsampling');
  }
  if (m.levels.length === 0) throw new ManifestError('levels', 'must not be empty');
  const ids = new Set<string>();
  m.levels.forEach((l, i) => {
    if (ids.has(l.id)) throw new ManifestError(`levels[${i}].id`, `duplicates "${l.id}"`);
    ids.add(l.id);
  });
  if (!ids.has(m.defaultLevel)) throw new ManifestError('defaultLevel', `"${m.defaultLevel}" is not a level id`);
  // a full-context encoder is unusable without the frame limit it was exported for
  const withFull = m.levels.findIndex((l) => l.files.encoderFull !== undefined);
  if (withFull >= 0 && !m.finalPass) {
    throw new ManifestError('finalPass', `must be present when a level has files.encoderFull (levels[${withFull}]): it gives maxFrames`);
  }
}

/**
 * The second passes this manifest offers for `levelId` (any level when omitted): 'none' always; the others need the
 * level's full-context encoder, and 'whisper' also the Whisper files. What a UI should list.
 */
export function availableFinalPasses(m: Manifest, levelId?: string): FinalPassKind[] {
  const levels = levelId === undefined ? m.levels : m.levels.filter((l) => l.id === levelId);
  if (!m.finalPass || !levels.some((l) => l.files.encoderFull)) return ['none'];
  return m.finalPass.whisper ? ['none', 'transducer', 'whisper'] : ['none', 'transducer'];
}

export function findLevel(m: Manifest, id: string): LevelInfo {
  const level = m.levels.find((l) => l.id === id);
  if (!level) {
    throw new RecognizerError('internal', `unknown level "${id}"; valid levels: ${m.levels.map((l) => l.id).join(', ')}`);
  }
  return level;
}

/** Resolves a manifest-relative path against the manifest's URL (absolute http(s)/file URL). */
export function resolveModelUrl(manifestUrl: string, relPath: string): string {
  return new URL(relPath, manifestUrl).href;
}

/**
 * Fetches the manifest or a model file: a network failure or an HTTP error is 'model-missing', with the status in
 * the message (the UI tells "not on the server" from "no connection" by it: src/ui/errorText.ts).
 */
export async function fetchModelFile(url: string, fetchImpl: typeof fetch = fetch): Promise<Response> {
  let res: Response;
  try {
    res = await fetchImpl(url);
  } catch (err) {
    throw new RecognizerError('model-missing', `cannot fetch ${url}: ${String(err)}`);
  }
  if (!res.ok) throw new RecognizerError('model-missing', `cannot fetch ${url}: HTTP ${res.status}`);
  return res;
}

/** Fetches and validates a manifest; a 404 or network failure is 'model-missing'. */
export async function loadManifest(url: string, fetchImpl: typeof fetch = fetch): Promise<Manifest> {
  const res = await fetchModelFile(url, fetchImpl);
  let json: unknown;
  try {
    json = await res.json();
  } catch (err) {
    throw new ManifestError('(root)', `is not valid JSON (${String(err)})`);
  }
  return parseManifest(json);
}

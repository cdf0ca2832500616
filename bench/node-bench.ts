// `npm run bench`: per-level latency of the real streaming path in Node, on onnxruntime-node (CPU EP, 1 intra-op
// thread) and on onnxruntime-web's WASM backend (1 thread). Every (runtime, level) pair runs in a fresh child
// process so its RSS high-water mark belongs to that level alone. See bench/README.md.

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createNodeLoader, readManifestFile } from '../src/asr/backend-node';
import { findLevel } from '../src/asr/manifest';
import { measureReplay } from '../src/asr/measure';
import type { ModelLoader } from '../src/asr/engine';
import type { Manifest } from '../src/asr/types';
import { parseWav } from '../src/audio/wav';
import { BenchUsageError, parseBenchArgs, selectLevels, type BenchArgs, type Runtime } from './lib/args';
import { machineInfo } from './lib/machine';
import { levelTable, ratioLine, ratios, type LevelResult, type RuntimeResult } from './lib/report';
import { denseLevelId, finalPassTable, measureFinalPasses } from './lib/final-pass-run';
import { memoLoader } from './lib/memo-loader';
import { readBytes, synthesizePhrase } from './lib/speech';
import { mean, percentile, round } from './lib/stats';
import { featurize, runUtterance, summarizeRuns, type UtteranceRun } from './lib/stream-run';
import { createWasmNodeLoader } from './lib/wasm-node-loader';

const RESULT_TAG = '@@bench-result@@';
const RUNTIME_LABEL: Record<Runtime, string> = {
  node: 'onnxruntime-node 1.30 cpu EP, 1 intra-op thread',
  wasm: 'onnxruntime-web 1.30 wasm (simd) in Node, 1 thread',
};
/** The single-thread WASM RTF target from the project brief; onnxruntime-node has none. */
const WASM_RTF_TARGET = 0.03;

const now = (): number => performance.now();
const maxRssMb = (): number => process.resourceUsage().maxRSS / 1024;

function loaderFor(runtime: Runtime, manifest: Manifest, manifestPath: string): ModelLoader {
  return runtime === 'node' ? createNodeLoader(manifest, manifestPath, { threads: 1 }) : createWasmNodeLoader(manifest, manifestPath);
}

/** Child: one runtime, one level. */
async function measureLevel(args: BenchArgs, runtime: Runtime, levelId: string): Promise<LevelResult> {
  const manifest = await readManifestFile(args.manifest);
  const level = findLevel(manifest, levelId);
  const wav = parseWav(readBytes(args.wav as string));
  // Twice: the first pass JIT-compiles the front end, the second is the steady-state cost a live stream sees.
  featurize(wav.channels, wav.sampleRate, manifest.frontend, manifest.segmentFrames, now);
  const features = featurize(wav.channels, wav.sampleRate, manifest.frontend, manifest.segmentFrames, now);
  const rssBeforeLoadMb = maxRssMb();
  const t0 = now();
  const models = await loaderFor(runtime, manifest, args.manifest).load(level);
  const loadMs = now() - t0;
  for (let i = 0; i < args.warmup; i++) await runUtterance(models, manifest, features.frames, now);
  const runs: UtteranceRun[] = [];
  for (let i = 0; i < args.runs; i++) runs.push(await runUtterance(models, manifest, features.frames, now));
  const timing = summarizeRuns(runs, features.audioMs);
  // Switching onto this level from cache: the left-context replay (after the runs above, so the sessions are warm).
  const replay = await measureReplay(models, manifest, features.frames, now, Math.max(3, args.runs));
  await models.dispose();
  // Read before the second passes load their models (Whisper is 30 MB more): the level's own memory.
  const peakRssMb = round(maxRssMb(), 1);
  // Endpoint -> final line per second pass, dense level only (where it matters; Whisper costs seconds per run).
  const finalPasses =
    level.id === denseLevelId(manifest)
      ? await measureFinalPasses({
          manifest,
          loader: memoLoader(loaderFor(runtime, manifest, args.manifest), now),
          level: level.id,
          frames: features.frames,
          runs: args.runs,
          warmup: args.warmup,
          now,
        })
      : undefined;
  return {
    id: level.id,
    sparsity: level.sparsity,
    chunkMsP50: timing.chunkMsP50,
    chunkMsP95: timing.chunkMsP95,
    rtf: timing.rtf,
    loadMs: round(loadMs, 1),
    bytes: level.bytes.raw,
    peakRssMb,
    rssBeforeLoadMb: round(rssBeforeLoadMb, 1),
    frontendMsPerChunk: round(mean(features.blockMs)),
    breakdown: timing.breakdown,
    chunksPerRun: timing.chunks / runs.length,
    tokensPerRun: runs[0]?.tokens.length ?? 0,
    switchReplayMs: round(percentile(replay.ms, 50), 1),
    switchReplayMsMax: round(Math.max(...replay.ms), 1),
    replayFrames: replay.frames,
    ...(finalPasses ? { finalPasses } : {}),
  };
}

function runChild(args: BenchArgs, runtime: Runtime, levelId: string): LevelResult {
  const script = fileURLToPath(import.meta.url);
  const childArgs = ['--import', 'tsx', script, '--child', '--runtime', runtime, '--levels', levelId];
  childArgs.push('--runs', String(args.runs), '--warmup', String(args.warmup), '--wav', args.wav as string, '--manifest', args.manifest);
  const r = spawnSync(process.execPath, childArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT_TAG));
  if (r.status !== 0 || !line) throw new Error(`bench child ${runtime}/${levelId} failed (exit ${r.status})\n${r.stdout}`);
  return JSON.parse(line.slice(RESULT_TAG.length)) as LevelResult;
}

async function main(argv: readonly string[]): Promise<void> {
  const args = parseBenchArgs(argv);
  if (args.child) {
    const [runtime] = args.runtimes;
    const [levelId] = args.levels ?? [];
    if (!runtime || !levelId) throw new BenchUsageError('--child needs one --runtime and one --levels id');
    console.log(RESULT_TAG + JSON.stringify(await measureLevel(args, runtime, levelId)));
    return;
  }
  const manifest = await readManifestFile(args.manifest);
  const levels = selectLevels(manifest.levels.map((l) => l.id), args.levels);
  if (args.wav === null) {
    const synth = synthesizePhrase();
    args.wav = synth.path;
    console.log(`utterance: espeak-ng "${synth.text}" -> ${synth.path}`);
  }
  args.wav = resolve(args.wav);
  args.manifest = resolve(args.manifest);
  const wav = parseWav(readBytes(args.wav));
  const audioSeconds = (wav.channels[0]?.length ?? 0) / wav.sampleRate;
  console.log(`audio ${audioSeconds.toFixed(2)} s @ ${wav.sampleRate} Hz; manifest "${manifest.name}"; ${args.warmup} warm-up + ${args.runs} timed runs per level`);
  const machine = { ...machineInfo(), manifest: manifest.name, audioSeconds: round(audioSeconds, 3) };
  const results: RuntimeResult[] = [];
  for (const runtime of args.runtimes) {
    const rows: LevelResult[] = [];
    for (const id of levels) {
      process.stderr.write(`  ${runtime} ${id} ...\n`);
      rows.push(runChild(args, runtime, id));
    }
    results.push({ runtime: RUNTIME_LABEL[runtime], machine, date: new Date().toISOString(), levels: rows });
    console.log(`\n${RUNTIME_LABEL[runtime]}\n${levelTable(rows)}`);
    console.log(ratioLine(ratios(rows), runtime === 'wasm' ? WASM_RTF_TARGET : null));
    const passes = rows.flatMap((r) => r.finalPasses ?? []);
    if (passes.length > 0) console.log(`\nendpoint -> final line per second pass (whole utterance pushed, then flushed)\n${finalPassTable(passes)}`);
  }
  mkdirSync(dirname(resolve(args.out)), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify({ runtimes: results }, null, 2)}\n`);
  console.log(`\nwrote ${args.out}`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof BenchUsageError ? e.message : e);
  process.exitCode = e instanceof BenchUsageError ? 2 : 1;
});

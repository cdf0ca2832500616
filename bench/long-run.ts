// `npm run bench:long`: an hour of audio through the Node CLI's own path (file reader -> FeaturePipeline ->
// Recognizer on onnxruntime-node), sampling memory and per-chunk latency every few minutes of audio. Answers two
// questions of the reliability table: does memory stay flat, and does latency drift over a long stream.
//
//   npm run bench:long                                  # 60 min, default level, no second pass
//   npm run bench:long -- --minutes 10 --level s75 --final-pass whisper --every 2
//
// The audio: the bench phrase (espeak-ng, 22.05 kHz, so the resampler runs) with 1.5 s pauses, repeated by sox into
// one WAV in a temp folder (about 160 MB for an hour), read back in 1 s pieces exactly as `npm run transcribe` does.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createNodeLoader, readManifestFile } from '../src/asr/backend-node';
import { createRecognizer } from '../src/asr/recognizer';
import type { FinalPassKind, RecognizerEvent } from '../src/asr/types';
import { openAudioFile, type AudioBlock } from '../src/cli/audio-input';
import { transcribeBlocks } from '../src/cli/transcribe';
import { machineInfo } from './lib/machine';
import { summarizeWindows, windowOf, windowTable, type MemorySample, type Window } from './lib/long-run';
import { longWav } from './lib/speech';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Args {
  minutes: number;
  every: number;
  level: string | null;
  finalPass: FinalPassKind;
  manifest: string;
  out: string;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { minutes: 60, every: 5, level: null, finalPass: 'none', manifest: join(ROOT, 'models/manifest.json'), out: join(ROOT, 'bench/results/long-run.json') };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--minutes') a.minutes = Number(value);
    else if (flag === '--every') a.every = Number(value);
    else if (flag === '--level') a.level = value;
    else if (flag === '--final-pass') a.finalPass = value as FinalPassKind;
    else if (flag === '--manifest') a.manifest = resolve(value);
    else if (flag === '--out') a.out = resolve(value);
    else throw new Error(`unknown flag ${flag} (--minutes N --every N --level ID --final-pass none|transducer|whisper --manifest P --out P)`);
  }
  if (!(a.minutes > 0) || !(a.every > 0) || a.every > a.minutes / 2) throw new Error('need --minutes > 0 and 0 < --every <= minutes / 2');
  return a;
}

function memory(): MemorySample {
  // A collection first where node runs with --expose-gc, so the heap figure is what is live, not what awaits GC.
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  const mb = (b: number): number => b / 2 ** 20;
  return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), externalMb: mb(m.external), arrayBuffersMb: mb(m.arrayBuffers) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = join(ROOT, 'node_modules/.cache/omnisparse-long-run');
  mkdirSync(dir, { recursive: true });
  const wav = longWav(dir, args.minutes);
  const manifest = await readManifestFile(args.manifest);
  const level = args.level ?? manifest.defaultLevel;

  let chunkMs: number[] = [];
  let finals = 0;
  const texts: string[] = [];
  const onEvent = (e: RecognizerEvent): void => {
    if (e.type === 'metrics') chunkMs.push(e.metrics.computeMs);
    if (e.type === 'final') {
      finals++;
      texts.push(e.text);
    }
    if (e.type === 'error') console.error(`error event: ${e.code}: ${e.message}`);
  };
  const rec = await createRecognizer({
    manifest,
    loader: createNodeLoader(manifest, args.manifest, { threads: 1 }),
    level,
    listener: onEvent,
    finalPass: args.finalPass,
  });
  const atLoad = memory();
  const windows: Window[] = [];
  const reader = await openAudioFile(wav.path);
  const t0 = performance.now();
  let samples = 0;
  let nextMark = args.every * 60;
  // Samples at window edges as the file is consumed; awaiting each push in transcribeBlocks is the backpressure, so
  // what has been read is (within a second) what has been recognized.
  async function* sampled(): AsyncGenerator<AudioBlock> {
    for await (const block of reader.blocks()) {
      yield block;
      samples += block.channels[0]?.length ?? 0;
      const audioS = samples / block.sampleRate;
      if (audioS >= nextMark) {
        windows.push(windowOf(audioS / 60, (performance.now() - t0) / 1000, chunkMs, finals, memory()));
        console.log(`${(audioS / 60).toFixed(1)} min: RSS ${windows.at(-1)!.rssMb} MB, chunk p50 ${windows.at(-1)!.chunkP50} ms, ${finals} finals`);
        chunkMs = [];
        nextMark += args.every * 60;
      }
    }
  }
  const result = await transcribeBlocks(rec, sampled(), []);
  const wallS = (performance.now() - t0) / 1000;
  await rec.dispose();
  rmSync(dir, { recursive: true, force: true });

  const summary = summarizeWindows(windows);
  const audioMin = result.samples / result.sampleRate / 60;
  console.log(`\n${audioMin.toFixed(1)} min of audio, level ${level}, final pass ${args.finalPass}, onnxruntime-node 1 thread: ${wallS.toFixed(0)} s wall`);
  console.log(`RSS after load ${atLoad.rssMb.toFixed(1)} MB; heap after load ${atLoad.heapUsedMb.toFixed(1)} MB\n`);
  console.log(windowTable(windows));
  console.log(`\nRSS ${summary.rssGrowthMb >= 0 ? '+' : ''}${summary.rssGrowthMb} MB and heap ${summary.heapGrowthMb >= 0 ? '+' : ''}${summary.heapGrowthMb} MB from the first window to the last ` +
    `(largest later step ${summary.maxRssStepMb} MB); chunk p50 last/first ${summary.p50Drift}, p95 ${summary.p95Drift}; RTF ${summary.rtf}`);
  const transcriptChars = texts.join(' ').length;
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify({
    date: new Date().toISOString(), machine: machineInfo(), manifest: manifest.name, level, finalPass: args.finalPass,
    audioMinutes: audioMin, wallS, phraseSeconds: wav.unitSeconds, finals, transcriptChars,
    afterLoad: atLoad, summary, windows,
  }, null, 2)}\n`);
  console.log(`${finals} final lines, ${transcriptChars} characters; written ${args.out}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});

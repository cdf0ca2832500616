// Node CLI: transcribes WAV files with the same resampler / front end / session / decoder code as the browser,
// on onnxruntime-node. One bad file is reported and skipped; the exit status is non-zero if any file failed.

import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { FeaturePipeline } from '../audio/pipeline';
import { createNodeLoader, readManifestFile } from '../asr/backend-node';
import { toRecognizerError } from '../asr/errors';
import { createRecognizer, type Recognizer } from '../asr/recognizer';
import type { Manifest, RecognizerEvent } from '../asr/types';
import { parseArgs, UsageError, type CliArgs } from './args';
import { parseWav, type WavAudio } from './wav';

export interface FileResult {
  file: string;
  level: string;
  text: string;
  audioSeconds: number;
  computeMs: number;
}

/** Feed size: one second of input audio per push keeps memory flat for long files. */
const BLOCK_SECONDS = 1;

export async function transcribeAudio(rec: Recognizer, audio: WavAudio, finals: string[]): Promise<string> {
  const pipeline = new FeaturePipeline(audio.sampleRate, rec.manifest.frontend);
  const total = audio.channels[0]?.length ?? 0;
  const block = Math.max(1, Math.round(audio.sampleRate * BLOCK_SECONDS));
  const start = finals.length;
  for (let pos = 0; pos < total; pos += block) {
    await rec.pushFeatures(pipeline.pushChannels(audio.channels.map((c) => c.subarray(pos, pos + block))));
  }
  await rec.pushFeatures(pipeline.flush());
  await rec.flush();
  return finals.slice(start).join(' ');
}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    io.err((e as Error).message);
    return 2;
  }
  let manifest: Manifest;
  try {
    manifest = await readManifestFile(args.manifest);
  } catch (e) {
    io.err(`error: ${(e as Error).message}`);
    return 1;
  }
  const level = args.level ?? manifest.defaultLevel;
  if (!manifest.levels.some((l) => l.id === level)) {
    io.err(`error: unknown level "${level}"; valid levels: ${manifest.levels.map((l) => l.id).join(', ')}`);
    return 2;
  }
  const finals: string[] = [];
  const onEvent = (e: RecognizerEvent): void => {
    if (e.type === 'final') finals.push(e.text);
  };
  let rec: Recognizer;
  try {
    rec = await createRecognizer({
      manifest,
      loader: createNodeLoader(manifest, args.manifest, { threads: args.threads }),
      level,
      listener: onEvent,
    });
  } catch (e) {
    const err = toRecognizerError(e);
    io.err(`error [${err.code}]: ${err.message}`);
    return 1;
  }
  let failed = 0;
  for (const file of args.files) {
    try {
      const audio = parseWav(new Uint8Array(await readFile(file)));
      const t0 = performance.now();
      const text = await transcribeAudio(rec, audio, finals);
      const result: FileResult = {
        file,
        level,
        text,
        audioSeconds: Math.round(((audio.channels[0]?.length ?? 0) / audio.sampleRate) * 1000) / 1000,
        computeMs: Math.round(performance.now() - t0),
      };
      io.out(args.json ? JSON.stringify(result) : `${file}: ${text}`);
    } catch (e) {
      failed++;
      io.err(`error: ${file}: ${(e as Error).message}`);
    }
  }
  await rec.dispose();
  return failed > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runCli(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e instanceof UsageError ? e.message : e);
      process.exitCode = 1;
    },
  );
}

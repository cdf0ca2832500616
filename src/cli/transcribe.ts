// Node CLI: transcribes audio files (WAV, FLAC, MP3, Ogg Vorbis/Opus: audio-input.ts) with the same resampler / front
// end / session / decoder code as the browser, on onnxruntime-node. Files are streamed: decoded, featurized and
// recognized piece by piece, so an hour of audio needs no more memory than a minute. One bad file is reported and
// skipped; the exit status is non-zero if any file failed. A damaged but readable file (e.g. a truncated WAV) is
// transcribed as far as it goes, with a warning on stderr and in the JSON `warnings`. `--final-pass` re-decodes each
// line at its endpoint (final-pass.ts); the JSON then also carries what the streaming pass said (`streamText`).

import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { FeaturePipeline } from '../audio/pipeline';
import { createNodeLoader, readManifestFile } from '../asr/backend-node';
import { toRecognizerError } from '../asr/errors';
import { availableFinalPasses } from '../asr/manifest';
import { createRecognizer, type Recognizer } from '../asr/recognizer';
import type { FinalPassKind, Manifest, RecognizerEvent } from '../asr/types';
import { parseArgs, UsageError, type CliArgs } from './args';
import { openAudioFile, type AudioBlock, type AudioFormat } from './audio-input';
import type { WavAudio } from '../audio/wav';

export interface FileResult {
  file: string;
  format: AudioFormat;
  level: string;
  /** the finals' text: the second pass's where it replaced the streaming one */
  text: string;
  finalPass: FinalPassKind;
  /** what the streaming pass alone said (equal to `text` with finalPass none) */
  streamText: string;
  audioSeconds: number;
  /** wall ms for the whole file: reading, decoding, front end and recognition (they are interleaved when streaming) */
  computeMs: number;
  /**
   * survivable problems: with the input (truncation, skipped frames), or a second pass that failed on a line (which
   * then kept its streaming text); empty when all went well
   */
  warnings: string[];
}

/** Feed size: at most one second of input audio per push, whatever size the decoder hands out. */
const BLOCK_SECONDS = 1;

/** Splits a decoded block into pushes of at most `maxFrames` samples (views, no copies). */
export function* splitBlock(block: AudioBlock, maxFrames: number): Generator<Float32Array[]> {
  const total = block.channels[0]?.length ?? 0;
  for (let pos = 0; pos < total; pos += maxFrames) yield block.channels.map((c) => c.subarray(pos, pos + maxFrames));
}

/**
 * Streams decoded blocks through one FeaturePipeline into the recognizer and returns the text of the finals this
 * stream produced. Awaiting every push is the backpressure: the next piece of the file is read only once this one
 * has been recognized.
 */
export async function transcribeBlocks(
  rec: Recognizer,
  blocks: AsyncIterable<AudioBlock>,
  finals: string[],
): Promise<{ text: string; samples: number; sampleRate: number }> {
  let pipeline: FeaturePipeline | null = null;
  let sampleRate = 0;
  let samples = 0;
  const start = finals.length;
  for await (const block of blocks) {
    if (pipeline === null) {
      sampleRate = block.sampleRate;
      pipeline = new FeaturePipeline(sampleRate, rec.manifest.frontend);
    } else if (block.sampleRate !== sampleRate) {
      // Chained Ogg streams can change rate; one resampler per file is what the pipeline supports.
      throw new Error(`the sample rate changes inside the file (${sampleRate} -> ${block.sampleRate} Hz)`);
    }
    for (const piece of splitBlock(block, Math.max(1, Math.round(sampleRate * BLOCK_SECONDS)))) {
      await rec.pushFeatures(pipeline.pushChannels(piece));
    }
    samples += block.channels[0]?.length ?? 0;
  }
  if (pipeline) await rec.pushFeatures(pipeline.flush());
  await rec.flush();
  return { text: finals.slice(start).join(' '), samples, sampleRate };
}

/** Whole decoded audio in one go (kept for callers holding a WavAudio). */
export async function transcribeAudio(rec: Recognizer, audio: WavAudio, finals: string[]): Promise<string> {
  async function* one(): AsyncGenerator<AudioBlock> {
    yield audio;
  }
  return (await transcribeBlocks(rec, one(), finals)).text;
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
  const offered = availableFinalPasses(manifest, level);
  if (!offered.includes(args.finalPass)) {
    io.err(`error: --final-pass ${args.finalPass}: ${args.manifest} offers ${offered.join(', ')} on level ${level}`);
    return 2;
  }
  const finals: string[] = [];
  const streamFinals: string[] = [];
  const eventErrors: string[] = [];
  const onEvent = (e: RecognizerEvent): void => {
    if (e.type === 'final') {
      finals.push(e.text);
      streamFinals.push(e.streamText ?? e.text);
    }
    // A failure that ends the file also rejects the push (reported below); one that does not is a second pass that
    // failed and kept the streaming text: a warning of a file that otherwise succeeded.
    if (e.type === 'error') eventErrors.push(`${e.message} [${e.code}]`);
  };
  let rec: Recognizer;
  try {
    rec = await createRecognizer({
      manifest,
      loader: createNodeLoader(manifest, args.manifest, { threads: args.threads }),
      level,
      listener: onEvent,
      finalPass: args.finalPass,
    });
  } catch (e) {
    const err = toRecognizerError(e);
    io.err(`error [${err.code}]: ${err.message}`);
    return 1;
  }
  let failed = 0;
  for (const file of args.files) {
    try {
      const t0 = performance.now();
      const reader = await openAudioFile(file);
      const firstFinal = streamFinals.length;
      eventErrors.length = 0;
      const { text, samples, sampleRate } = await transcribeBlocks(rec, reader.blocks(), finals);
      const result: FileResult = {
        file,
        format: reader.format,
        level,
        text,
        finalPass: args.finalPass,
        streamText: streamFinals.slice(firstFinal).join(' '),
        audioSeconds: sampleRate > 0 ? Math.round((samples / sampleRate) * 1000) / 1000 : 0,
        computeMs: Math.round(performance.now() - t0),
        // a well-formed file with no samples is not an error, but an empty line must not pass for a transcript
        warnings: [...reader.warnings, ...(samples === 0 ? ['no audio: the file holds 0 samples'] : []), ...eventErrors],
      };
      // stderr in both modes: a fragment must not pass for the whole file, also when the JSON is piped somewhere
      for (const w of result.warnings) io.err(`warning: ${file}: ${w}`);
      io.out(args.json ? JSON.stringify(result) : `${file}: ${text}`);
    } catch (e) {
      failed++;
      io.err(`error: ${file}: ${(e as Error).message}`);
      // A file that failed half-way left frames in the recognizer: end that stream so the next file starts clean.
      await rec.flush().catch(() => {});
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

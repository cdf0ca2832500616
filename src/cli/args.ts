// Command-line parsing for `npm run transcribe -- a.wav b.flac [--level ID] [--manifest PATH] [--json] [--threads N]
// [--final-pass none|transducer|whisper]`.

import type { FinalPassKind } from '../asr/types';

export interface CliArgs {
  files: string[];
  level: string | null;
  manifest: string;
  json: boolean;
  threads: number;
  finalPass: FinalPassKind;
}

const FINAL_PASSES: readonly FinalPassKind[] = ['none', 'transducer', 'whisper'];

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE =
  'usage: npm run transcribe -- FILE [FILE ...] [--level ID] [--manifest models/manifest.json] [--json] [--threads N]\n' +
  '                             [--final-pass none|transducer|whisper]\n' +
  '  FILE: WAV, FLAC, MP3, Ogg Vorbis or Ogg Opus (recognised from its content, not its name)\n' +
  '  --final-pass: re-decode each line at its endpoint with the whole utterance in view (default none: the\n' +
  '    streaming text). transducer: the level\'s own head on its full-context encoder; whisper: Whisper tiny.en\'s\n' +
  '    decoder (cased, punctuated). Only what the manifest\'s finalPass offers; JSON adds the streaming text.';

export function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { files: [], level: null, manifest: 'models/manifest.json', json: false, threads: 1, finalPass: 'none' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--json') args.json = true;
    else if (a === '--level') args.level = value();
    else if (a === '--manifest') args.manifest = value();
    else if (a === '--threads') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new UsageError('--threads must be a positive integer');
      args.threads = n;
    } else if (a === '--final-pass') {
      const v = value();
      const pass = FINAL_PASSES.find((p) => p === v);
      if (!pass) throw new UsageError(`--final-pass must be one of ${FINAL_PASSES.join(', ')}`);
      args.finalPass = pass;
    } else if (a === '--help' || a === '-h') throw new UsageError(USAGE);
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}\n${USAGE}`);
    else args.files.push(a);
  }
  if (args.files.length === 0) throw new UsageError(`no input files\n${USAGE}`);
  return args;
}

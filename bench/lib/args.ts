// Command line of `npm run bench`. Pure, so the flag handling is unit-tested.

export type RuntimeFlag = 'node' | 'wasm' | 'all';
export type Runtime = 'node' | 'wasm';

export interface BenchArgs {
  /** null = every level in the manifest */
  levels: string[] | null;
  runtimes: Runtime[];
  runs: number;
  warmup: number;
  /** null = synthesize a phrase with espeak-ng */
  wav: string | null;
  manifest: string;
  out: string;
  /** internal: set in the per-level child process */
  child: boolean;
}

export const USAGE =
  'usage: npm run bench -- [--levels a,b] [--runtime node|wasm|all] [--runs N] [--warmup N] [--wav file.wav] ' +
  '[--manifest models/manifest.json] [--out bench/results/latest.json]';

export class BenchUsageError extends Error {}

function positiveInt(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new BenchUsageError(`${flag} must be an integer >= ${min}, got "${v}"`);
  return n;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = {
    levels: null,
    runtimes: ['node', 'wasm'],
    runs: 5,
    warmup: 1,
    wav: null,
    manifest: 'models/manifest.json',
    out: 'bench/results/latest.json',
    child: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new BenchUsageError(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === '--levels') {
      args.levels = value().split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      if (args.levels.length === 0) throw new BenchUsageError('--levels needs at least one level id');
    } else if (flag === '--runtime') {
      const v = value();
      if (v !== 'node' && v !== 'wasm' && v !== 'all') throw new BenchUsageError(`--runtime must be node, wasm or all, got "${v}"`);
      args.runtimes = v === 'all' ? ['node', 'wasm'] : [v];
    } else if (flag === '--runs') args.runs = positiveInt(flag, value(), 1);
    else if (flag === '--warmup') args.warmup = positiveInt(flag, value(), 0);
    else if (flag === '--wav') args.wav = value();
    else if (flag === '--manifest') args.manifest = value();
    else if (flag === '--out') args.out = value();
    else if (flag === '--child') args.child = true;
    else if (flag === '--help' || flag === '-h') throw new BenchUsageError(USAGE);
    else throw new BenchUsageError(`unknown option ${flag}\n${USAGE}`);
  }
  return args;
}

/** Levels to run, in manifest order; unknown ids are an error that lists the valid ones. */
export function selectLevels(all: readonly string[], wanted: readonly string[] | null): string[] {
  if (wanted === null) return [...all];
  const unknown = wanted.filter((id) => !all.includes(id));
  if (unknown.length > 0) throw new BenchUsageError(`unknown level(s) ${unknown.join(', ')}; valid: ${all.join(', ')}`);
  return all.filter((id) => wanted.includes(id));
}

// `npm run bench:size`: how much JavaScript embedding <omnisparse-dictation> costs, gzip -9 per file as a server
// would send it. Builds the library (vite.lib.config.ts) into a scratch folder and reports, separately:
//   page      what the host page loads: omnisparse-dictation.js and the chunks it imports
//   worker    the inference worker (bundles onnxruntime-web's JavaScript API)
//   worklet   the audio capture worklet
//   ort glue  onnxruntime's Emscripten glue (ort/*.mjs), loaded by the worker
// Not counted: onnxruntime's .wasm binary and the models (their sizes are printed for scale).
// Flags: --json (machine-readable), --no-build (measure an existing folder: --dir dist-lib).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { group, importClosure, type SizedFile, type SizeGroup } from './lib/size';

const ROOT = resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const dirArg = argv.indexOf('--dir');
const dir = dirArg >= 0 ? resolve(argv[dirArg + 1] ?? 'dist-lib') : join(tmpdir(), 'omnisparse-size', 'dist-lib');

if (!argv.includes('--no-build')) {
  execFileSync(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '-c', 'vite.lib.config.ts', '--outDir', dir, '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const sized = (file: string): SizedFile => {
  const bytes = readFileSync(join(dir, file));
  return { file, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
};
const listed = (sub: string, pattern: RegExp): string[] =>
  readdirSync(join(dir, sub)).filter((f) => pattern.test(f)).map((f) => `${sub}/${f}`);

const page = importClosure('omnisparse-dictation.js', (f) => readFileSync(join(dir, f), 'utf8'));
const groups: SizeGroup[] = [
  group('page', page.map(sized)),
  group('worker', listed('assets', /^worker-.*\.js$/).map(sized)),
  group('worklet', listed('assets', /^worklet-.*\.js$/).map(sized)),
  group('ort glue', listed('ort', /\.mjs$/).map(sized)),
];
const total = group('total JS', groups.flatMap((g) => g.files));
const wasm = listed('ort', /\.wasm$/).map((f) => statSync(join(dir, f)).size);

if (argv.includes('--json')) {
  console.log(JSON.stringify({ dir: relative(ROOT, dir) || dir, groups, total: { bytes: total.bytes, gzip: total.gzip }, wasmBytes: wasm }, null, 2));
} else {
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`library build in ${dir} (gzip -9 per file)\n`);
  console.log(`${'part'.padEnd(10)} ${'raw'.padStart(11)} ${'gzip'.padStart(11)}  files`);
  for (const g of [...groups, total]) {
    console.log(`${g.name.padEnd(10)} ${kb(g.bytes).padStart(11)} ${kb(g.gzip).padStart(11)}  ${g === total ? '' : g.files.map((f) => f.file).join(', ')}`);
  }
  console.log(`\nnot counted: onnxruntime wasm ${wasm.map((b) => `${(b / 2 ** 20).toFixed(1)} MiB`).join(', ')}; models (models/manifest.json)`);
}

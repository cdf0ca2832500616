// Synthesizes the test clips with a voice held out of training (flite `slt`) and transcribes them with the Node CLI,
// whose output is the reference the browser must reproduce (pipeline equivalence, not model quality).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CLIPS, clipPath, E2E_DIR, GRID_SHIFTS_MS, shiftedClipPath, type ClipSpec, type Reference } from './fixtures';

const ROOT = resolve(import.meta.dirname, '..');

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function seconds(wav: string): number {
  return Number(run('soxi', ['-D', wav]).trim());
}

/** flite → sox: 16 kHz mono 16-bit, with digital silence before, between and after the sentences. */
function synthesize(clip: ClipSpec): { file: string; speech: [number, number][] } {
  const out = clipPath(clip);
  const speech: [number, number][] = [];
  let t = 0;
  const parts = clip.sentences.map((text, i) => {
    const raw = join(E2E_DIR, `${clip.name}.${i}.raw.wav`);
    run('flite', ['-voice', 'slt', '-t', text, '-o', raw]);
    const before = i === 0 ? clip.leadSeconds : 0;
    const after = i === clip.sentences.length - 1 ? clip.tailSeconds : clip.gapSeconds;
    const padded = join(E2E_DIR, `${clip.name}.${i}.wav`);
    run('sox', [raw, '-r', '16000', '-c', '1', '-b', '16', padded, 'pad', String(before), String(after)]);
    const spoken = seconds(raw);
    speech.push([t + before, t + before + spoken]);
    t += before + spoken + after;
    rmSync(raw);
    return padded;
  });
  if (parts.length === 1) run('sox', [parts[0]!, out]);
  else run('sox', [...parts, out]);
  for (const p of parts) rmSync(p);
  return { file: out, speech };
}

interface CliLine {
  file: string;
  level: string;
  text: string;
  audioSeconds: number;
}

export default function globalSetup(): void {
  if (!existsSync(join(ROOT, 'models', 'manifest.json'))) {
    throw new Error('models/manifest.json is missing: export the models (python -m omnisparse.export) before e2e tests');
  }
  mkdirSync(E2E_DIR, { recursive: true });
  const clips = Object.values(CLIPS);
  const synthesized = clips.map(synthesize);
  const files = synthesized.map((s) => s.file);
  mkdirSync(join(E2E_DIR, 'shifted'), { recursive: true });
  const shifted = clips.map((clip, i) =>
    GRID_SHIFTS_MS.map((ms) => {
      const out = shiftedClipPath(clip, ms);
      run('sox', [files[i]!, out, 'pad', String(ms / 1000), '0']);
      return out;
    }),
  );
  const stdout = run(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/cli/transcribe.ts', ...files, ...shifted.flat(), '--json']);
  const lines = stdout.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as CliLine);
  const textOf = (file: string): CliLine => {
    const line = lines.find((l) => resolve(ROOT, l.file) === file);
    if (!line) throw new Error(`CLI printed no result for ${file}:\n${stdout}`);
    return line;
  };
  const refs: Record<string, Reference> = {};
  clips.forEach((clip, i) => {
    const line = textOf(files[i]!);
    const { file, speech } = synthesized[i]!;
    const shiftedTexts = shifted[i]!.map((f) => textOf(f).text);
    refs[clip.name] = { file, level: line.level, text: line.text, audioSeconds: line.audioSeconds, speech, shiftedTexts };
  });
  writeFileSync(join(E2E_DIR, 'reference.json'), JSON.stringify(refs, null, 2));
}

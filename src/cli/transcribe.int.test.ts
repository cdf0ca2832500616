// Integration: the CLI code path on the real exported models (skipped until the Python recipe has exported them).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, type FileResult } from './transcribe';
import { encodeWav } from './wav';

const manifest = fileURLToPath(new URL('../../models/manifest.json', import.meta.url));
const hasModels = existsSync(manifest);
const hasEspeak = (() => {
  try {
    execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function cli(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe.skipIf(!hasModels || !hasEspeak)('transcribe CLI on the exported models', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnisparse-cli-'));
  const speech = join(dir, 'hello.wav');
  if (hasEspeak) execFileSync('espeak-ng', ['-w', speech, 'hello world']);

  it('transcribes deterministically and reports the level', async () => {
    const a = await cli([speech, '--json', '--manifest', manifest]);
    const b = await cli([speech, '--json', '--manifest', manifest]);
    expect(a.code).toBe(0);
    expect(a.err).toEqual([]);
    const ra = JSON.parse(a.out[0] ?? '{}') as FileResult;
    const rb = JSON.parse(b.out[0] ?? '{}') as FileResult;
    expect(typeof ra.text).toBe('string');
    expect(ra.text).toBe(rb.text);
    expect(ra.audioSeconds).toBeGreaterThan(0.5);
    expect(ra.computeMs).toBeGreaterThanOrEqual(0);
  });

  it('--level switches models, and an unknown level lists the valid ids', async () => {
    const ids = (JSON.parse(execFileSync('cat', [manifest]).toString()) as { levels: { id: string }[] }).levels.map((l) => l.id);
    const results = [];
    for (const id of ids) {
      const r = await cli([speech, '--json', '--level', id, '--manifest', manifest]);
      expect(r.code).toBe(0);
      results.push(JSON.parse(r.out[0] ?? '{}') as FileResult);
    }
    expect(results.map((r) => r.level)).toEqual(ids);
    const bad = await cli([speech, '--level', 'no-such-level', '--manifest', manifest]);
    expect(bad.code).not.toBe(0);
    expect(bad.err.join('\n')).toContain(ids.join(', '));
  });

  it('reports an unreadable file, continues with the others, exits non-zero', async () => {
    const junk = join(dir, 'junk.wav');
    writeFileSync(junk, 'not audio');
    const tone = join(dir, 'tone.wav');
    writeFileSync(tone, encodeWav([Float32Array.from({ length: 44100 }, (_, i) => 0.2 * Math.sin(i * 0.05))], 44100, 16));
    const r = await cli([junk, tone, '--json', '--manifest', manifest]);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(/junk\.wav/);
    expect(r.out).toHaveLength(1);
    expect((JSON.parse(r.out[0] ?? '{}') as FileResult).file).toBe(tone);
  });
});

// Integration: the CLI code path on the real exported models (skipped until the Python recipe has exported them).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, type FileResult } from './transcribe';
import { encodeWav } from './wav';

const manifest = fileURLToPath(new URL('../../models/manifest.json', import.meta.url));
const hasModels = existsSync(manifest);
const hasTool = (cmd: string, args: string[]): boolean => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const hasEspeak = hasTool('espeak-ng', ['--version']);
// sox with FLAC, MP3 (LAME) and Ogg Vorbis writers, i.e. libsox-fmt-all; without them the format test is skipped
const hasSoxWriters = hasTool('sox', ['-n', '-t', 'mp3', '/dev/null', 'synth', '0.01', 'sine', '440']);

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

  it('warns on a truncated WAV and still transcribes what is there (stderr + JSON warnings)', async () => {
    const whole = readFileSync(speech);
    const cut = join(dir, 'cut.wav');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.7)));
    const r = await cli([cut, '--json', '--manifest', manifest]);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out[0] ?? '{}') as FileResult;
    expect(res.format).toBe('wav');
    expect(res.warnings).toEqual([expect.stringMatching(/^truncated WAV: the data chunk declares/)]);
    expect(r.err).toEqual([`warning: ${cut}: ${res.warnings[0]}`]);
    const full = JSON.parse((await cli([speech, '--json', '--manifest', manifest])).out[0] ?? '{}') as FileResult;
    expect(full.warnings).toEqual([]);
    expect(res.audioSeconds).toBeLessThan(full.audioSeconds * 0.75);
    expect(res.audioSeconds).toBeGreaterThan(full.audioSeconds * 0.6);
  });

  it.skipIf(!hasSoxWriters)('reads FLAC, MP3 and Ogg Vorbis copies of a WAV; lossless FLAC gives the same text', async () => {
    const wav = JSON.parse((await cli([speech, '--json', '--manifest', manifest])).out[0] ?? '{}') as FileResult;
    for (const [ext, format] of [['flac', 'flac'], ['mp3', 'mp3'], ['ogg', 'ogg-vorbis']] as const) {
      const copy = join(dir, `hello.${ext}`);
      execFileSync('sox', [speech, copy]);
      const r = await cli([copy, '--json', '--manifest', manifest]);
      expect(r.code, r.err.join('\n')).toBe(0);
      const res = JSON.parse(r.out[0] ?? '{}') as FileResult;
      expect(res.format).toBe(format);
      expect(res.warnings).toEqual([]);
      // MP3 without a LAME gapless header keeps the encoder delay (~1100 samples) and pads to whole frames (576 here)
      expect(Math.abs(res.audioSeconds - wav.audioSeconds)).toBeLessThan(format === 'mp3' ? 0.08 : 0.01);
      if (format === 'flac') expect(res.text).toBe(wav.text);
    }
  });

  it('reads Ogg Opus (the committed fixture: sox cannot write Opus)', async () => {
    const opus = fileURLToPath(new URL('../test-fixtures/audio/tone-48k-mono.opus', import.meta.url));
    const r = await cli([opus, '--json', '--manifest', manifest]);
    expect(r.code, r.err.join('\n')).toBe(0);
    const res = JSON.parse(r.out[0] ?? '{}') as FileResult;
    expect(res).toMatchObject({ format: 'ogg-opus', warnings: [] });
    expect(Math.abs(res.audioSeconds - 0.5)).toBeLessThan(0.01);
  });
});


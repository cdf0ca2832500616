// Integration: the CLI code path on the real exported models (skipped until the Python recipe has exported them).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, type FileResult } from './transcribe';
import { editDistance } from '../test-fixtures/edit-distance';
import { encodeWav } from '../audio/wav';

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

  it.skipIf(!hasSoxWriters)('input variety: every device rate, stereo, clipping, DC offset, silence, < 100 ms and empty files', async () => {
    // one sentence (espeak-ng, 22.05 kHz) turned by sox into what devices and users hand the CLI; each copy must give
    // (nearly) the 16 kHz copy's text, or a clear outcome where there is nothing to hear
    const said = join(dir, 'said.wav');
    execFileSync('espeak-ng', ['-w', said, 'the quick brown fox jumps over the lazy dog']);
    const variant = (name: string, ...effect: string[]): string => {
      const out = join(dir, `${name}.wav`);
      execFileSync('sox', ['-V1', said, ...effect.slice(0, effect.indexOf('--')), out, ...effect.slice(effect.indexOf('--') + 1)]);
      return out;
    };
    const run = async (file: string): Promise<FileResult & { code: number; err: string }> => {
      const r = await cli([file, '--json', '--manifest', manifest]);
      return { ...(JSON.parse(r.out[0] ?? '{}') as FileResult), code: r.code, err: r.err.join('\n') };
    };
    const charDiff = (a: string, b: string): number => editDistance(a, b) / Math.max(1, b.length);
    const ref = await run(variant('r16000', '--', 'rate', '16000'));
    expect(ref.code).toBe(0);
    expect(ref.text.length).toBeGreaterThan(10);
    const rows: string[] = [];
    const cases: [string, string[], number][] = [
      ['8 kHz', ['--', 'rate', '8000'], 0.5], // telephone band: everything above 4 kHz is gone
      ['22.05 kHz', ['--'], 0.2],
      ['44.1 kHz', ['--', 'rate', '44100'], 0.2],
      ['48 kHz', ['--', 'rate', '48000'], 0.2],
      ['96 kHz', ['--', 'rate', '96000'], 0.2],
      ['48 kHz stereo', ['--', 'rate', '48000', 'channels', '2'], 0.2],
      ['clipped (x8)', ['--', 'rate', '16000', 'vol', '8'], 0.3],
      ['DC offset +0.3', ['--', 'rate', '16000', 'vol', '0.6', 'dcshift', '0.3'], 0.3],
    ];
    for (const [name, effect, bound] of cases) {
      const r = await run(variant(name.replace(/[^a-z0-9]/gi, '_'), ...effect));
      expect(r.code, `${name}: ${r.err}`).toBe(0);
      const d = charDiff(r.text, ref.text);
      rows.push(`${name}: ${d.toFixed(3)} "${r.text}"`);
      expect(d, `${name}: "${r.text}" vs "${ref.text}"`).toBeLessThanOrEqual(bound);
    }
    // nothing to hear: a clean run with no words
    const silence = join(dir, 'silence.wav');
    execFileSync('sox', ['-V1', '-n', '-r', '48000', '-c', '2', silence, 'trim', '0', '3']);
    const quiet = await run(silence);
    expect(quiet.code).toBe(0);
    expect(quiet.text.trim()).toBe('');
    const blip = join(dir, 'blip.wav');
    execFileSync('sox', ['-V1', said, blip, 'trim', '0.3', '0.05']);
    const short = await run(blip);
    expect(short.code).toBe(0);
    expect(short.audioSeconds).toBeCloseTo(0.05, 2);
    // an empty file: an error that says so; a well-formed WAV with no samples: no text, and a warning that says why
    const empty = join(dir, 'empty.wav');
    writeFileSync(empty, '');
    const none = await cli([empty, '--json', '--manifest', manifest]);
    expect(none.code).not.toBe(0);
    expect(none.err.join('\n')).toMatch(/empty/i);
    const header = join(dir, 'header-only.wav');
    writeFileSync(header, encodeWav([new Float32Array(0)], 16000, 16));
    const hollow = await run(header);
    expect(hollow.code).toBe(0);
    expect(hollow.text).toBe('');
    expect(hollow.warnings).toEqual(['no audio: the file holds 0 samples']);
    expect(hollow.err).toBe(`warning: ${header}: no audio: the file holds 0 samples`);
    console.info(`[input variety] reference "${ref.text}"\n  ${rows.join('\n  ')}\n  silence "${quiet.text}", 50 ms "${short.text}"`);
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


import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { flacDeclaredSamples, id3v2Length, openAudioFile, sniffFormat, type AudioBlock, type AudioFormat } from './audio-input';
import { encodeWav, parseWav } from '../audio/wav';

// 0.5 s of a 440 Hz sine at half scale in each format (made by src/test-fixtures/audio/make.sh).
const fixture = (name: string): string => fileURLToPath(new URL(`../test-fixtures/audio/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'omnisparse-audio-'));
const bytesOf = (...xs: (number | string)[]): Uint8Array =>
  Uint8Array.from(xs.flatMap((x) => (typeof x === 'string' ? [...x].map((c) => c.charCodeAt(0)) : [x])));

async function decodeAll(path: string): Promise<{ format: AudioFormat; blocks: AudioBlock[]; warnings: string[] }> {
  const reader = await openAudioFile(path, 1024); // small pieces: every file takes several decode calls
  const blocks: AudioBlock[] = [];
  for await (const b of reader.blocks()) blocks.push(b);
  return { format: reader.format, blocks, warnings: reader.warnings };
}

function joined(blocks: AudioBlock[], channel: number): Float32Array {
  const n = blocks.reduce((a, b) => a + (b.channels[channel]?.length ?? 0), 0);
  const out = new Float32Array(n);
  let at = 0;
  for (const b of blocks) {
    out.set(b.channels[channel] ?? new Float32Array(0), at);
    at += b.channels[channel]?.length ?? 0;
  }
  return out;
}

/** 0.1-0.4 s: inside every fixture's tone, away from codec start-up and the tone's end. */
const mid = (x: Float32Array, rate: number): Float32Array => x.subarray(Math.round(0.1 * rate), Math.round(0.4 * rate));

/** Frequency from upward zero crossings. */
function toneHz(signal: Float32Array, rate: number): number {
  const x = mid(signal, rate);
  let ups = 0;
  for (let i = 1; i < x.length; i++) if ((x[i - 1] ?? 0) < 0 && (x[i] ?? 0) >= 0) ups++;
  return ups / (x.length / rate);
}

function rms(signal: Float32Array, rate: number): number {
  const x = mid(signal, rate);
  return Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length);
}

describe('sniffFormat', () => {
  it('recognises each container by its magic bytes', () => {
    expect(sniffFormat(encodeWav([new Float32Array(4)], 16000, 16))).toBe('wav');
    expect(sniffFormat(bytesOf('fLaC', 0, 0, 0, 34))).toBe('flac');
    const oggPage = (packet: (number | string)[]) => bytesOf('OggS', ...new Array<number>(22).fill(0), 1, 30, ...packet);
    expect(sniffFormat(oggPage(['OpusHead', 1]))).toBe('ogg-opus');
    expect(sniffFormat(oggPage([1, 'vorbis', 0]))).toBe('ogg-vorbis');
    expect(sniffFormat(oggPage([0x7f, 'FLAC']))).toBeNull(); // Ogg FLAC: not supported
    expect(sniffFormat(bytesOf(0xff, 0xfb, 0x90, 0x64))).toBe('mp3'); // MPEG-1 layer III, 128 kbit/s, 44.1 kHz
  });

  it('rejects look-alikes: ADTS AAC, bad MPEG headers, text', () => {
    expect(sniffFormat(bytesOf(0xff, 0xf1, 0x50, 0x80))).toBeNull(); // AAC ADTS: layer bits 00
    expect(sniffFormat(bytesOf(0xff, 0xfb, 0xf0, 0x64))).toBeNull(); // bitrate index 1111
    expect(sniffFormat(bytesOf(0xff, 0xfb, 0x9c, 0x64))).toBeNull(); // sample-rate index 11
    expect(sniffFormat(new TextEncoder().encode('hello, not audio'))).toBeNull();
    expect(sniffFormat(new Uint8Array(0))).toBeNull();
  });

  it('reads the synchsafe ID3v2 length (with and without footer)', () => {
    expect(id3v2Length(bytesOf('ID3', 4, 0, 0, 0, 0, 2, 1))).toBe(10 + 257);
    expect(id3v2Length(bytesOf('ID3', 4, 0, 0x10, 0, 0, 0, 5))).toBe(10 + 5 + 10);
    expect(id3v2Length(bytesOf('RIFF', 0, 0, 0, 0, 0, 0))).toBe(0);
  });

  it("reads STREAMINFO's 36-bit total sample count", () => {
    const head = readFileSync(fixture('tone-16k-mono.flac'));
    expect(flacDeclaredSamples(head)).toBe(12000);
    const unknown = Uint8Array.from(head);
    unknown.fill(0, 8 + 13, 8 + 18);
    expect(flacDeclaredSamples(unknown)).toBeNull(); // 0 = the encoder did not know
  });
});

describe('openAudioFile', () => {
  const cases: { file: string; format: AudioFormat; rate: number; channels: number; seconds: [number, number] }[] = [
    // + 0.25 s of silence, which makes its last frame a tiny constant one (see FLAC_TAIL)
    { file: 'tone-16k-mono.flac', format: 'flac', rate: 16000, channels: 1, seconds: [0.75, 0.75] },
    // MP3 frames are 576 samples here; a decoder may keep the encoder's delay/padding, so allow one frame either way
    { file: 'tone-22k-stereo.mp3', format: 'mp3', rate: 22050, channels: 2, seconds: [0.47, 0.58] },
    { file: 'tone-44k-mono.ogg', format: 'ogg-vorbis', rate: 44100, channels: 1, seconds: [0.5, 0.5] },
    // Opus always decodes at 48 kHz; the last page may carry a few ms beyond the granule position
    { file: 'tone-48k-mono.opus', format: 'ogg-opus', rate: 48000, channels: 1, seconds: [0.49, 0.51] },
  ];
  for (const c of cases) {
    it(`streams ${c.file}: format, rate, channels, duration and the tone itself`, async () => {
      const { format, blocks, warnings } = await decodeAll(fixture(c.file));
      expect(format).toBe(c.format);
      expect(warnings).toEqual([]);
      expect(blocks.length).toBeGreaterThan(0);
      for (const b of blocks) expect(b.sampleRate).toBe(c.rate);
      expect(blocks[0]?.channels.length).toBeGreaterThanOrEqual(c.channels);
      const x = joined(blocks, 0);
      const seconds = x.length / c.rate;
      expect(seconds).toBeGreaterThanOrEqual(c.seconds[0] - 0.001);
      expect(seconds).toBeLessThanOrEqual(c.seconds[1] + 0.001);
      expect(toneHz(x, c.rate)).toBeGreaterThan(430);
      expect(toneHz(x, c.rate)).toBeLessThan(450);
      expect(rms(x, c.rate)).toBeGreaterThan(0.3); // 0.5 / sqrt(2) = 0.354 for a clean half-scale sine
      expect(rms(x, c.rate)).toBeLessThan(0.4);
    });
  }

  it('is lossless for FLAC, down to a tiny last frame: the samples sox (libFLAC) decodes from the same file', async () => {
    const { blocks } = await decodeAll(fixture('tone-16k-mono.flac'));
    const reference = parseWav(readFileSync(fixture('tone-16k-mono.wav'))).channels[0] ?? new Float32Array(0);
    const x = joined(blocks, 0);
    expect(x).toHaveLength(reference.length);
    // within one 16-bit step: libFLAC's wrapper scales by 1/32767, our WAV reader by 1/32768
    x.forEach((v, i) => expect(Math.abs(v - (reference[i] ?? 0))).toBeLessThan(1 / 32768));
  });

  it('decodes a truncated FLAC as far as it goes and says so', async () => {
    const bytes = readFileSync(fixture('tone-16k-mono.flac'));
    const path = join(dir, 'cut.flac');
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const { blocks, warnings } = await decodeAll(path);
    const n = joined(blocks, 0).length;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(12000);
    expect(warnings.join('\n')).toMatch(/truncated FLAC: the header declares 12000 samples/);
  });

  it('streams a WAV and warns when its data chunk is cut short', async () => {
    const tone = Float32Array.from({ length: 16000 }, (_, i) => 0.5 * Math.sin(i * 0.2));
    const wav = encodeWav([tone], 16000, 16);
    const path = join(dir, 'cut.wav');
    writeFileSync(path, wav.subarray(0, 44 + 20000));
    const { format, blocks, warnings } = await decodeAll(path);
    expect(format).toBe('wav');
    expect(blocks.length).toBeGreaterThan(10); // 20 KB in 1 KiB pieces: streamed, not read whole
    expect(joined(blocks, 0)).toHaveLength(10000);
    expect(warnings).toEqual([expect.stringMatching(/^truncated WAV: the data chunk declares 32000 bytes \(1\.00 s\) but the file ends after 20000 \(0\.63 s\)/)]);
  });

  it('names the formats it reads when it cannot recognise a file, and reports an empty one', async () => {
    const junk = join(dir, 'junk.mp3');
    writeFileSync(junk, 'definitely not audio, whatever the name says');
    await expect(openAudioFile(junk)).rejects.toThrow(/unrecognised audio format .*WAV, FLAC, MP3, Ogg Vorbis and Ogg Opus/);
    const empty = join(dir, 'empty.wav');
    writeFileSync(empty, '');
    await expect(openAudioFile(empty)).rejects.toThrow(/empty file/);
  });

  it('does not trust the extension: a FLAC named .wav is read as FLAC', async () => {
    const path = join(dir, 'really-flac.wav');
    writeFileSync(path, readFileSync(fixture('tone-16k-mono.flac')));
    expect((await decodeAll(path)).format).toBe('flac');
  });
});

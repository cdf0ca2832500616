// Audio files for the CLI: WAV (our own incremental reader, wav.ts), FLAC, MP3, Ogg Vorbis and Ogg Opus (the
// maintained WebAssembly decoders of the wasm-audio-decoders project: libFLAC, libmpg123, libvorbis, libopus).
// Everything streams: the file is read in small pieces and each piece is decoded and handed on before the next is
// read, so memory does not grow with the length of the file. The format is sniffed from the bytes, never from the
// file name, because a decoder fed the wrong format does not always fail (mpg123 finds "frames" in PCM noise).

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { WavStreamDecoder, type WavAudio } from '../audio/wav';

export type AudioFormat = 'wav' | 'flac' | 'mp3' | 'ogg-vorbis' | 'ogg-opus';

export const SUPPORTED_FORMATS = 'WAV, FLAC, MP3, Ogg Vorbis and Ogg Opus';

export class AudioFormatError extends Error {
  override name = 'AudioFormatError';
}

/** Bytes sniffFormat needs: enough for the first Ogg page's header, segment table and codec id. */
export const SNIFF_BYTES = 512;

/**
 * Read size. Small on purpose: a compressed piece expands ~10-100x when decoded (Opus at 6 kbit/s: 16 KiB is ~20 s of
 * 48 kHz float audio, ~4 MB), and that expansion is the CLI's memory high-water mark.
 */
export const READ_BYTES = 16 * 1024;

const ascii = (b: Uint8Array, at: number, s: string): boolean => [...s].every((c, i) => b[at + i] === c.charCodeAt(0));

/** Length of a leading ID3v2 tag (header + body + footer), 0 when there is none. Pure. */
export function id3v2Length(head: Uint8Array): number {
  if (head.length < 10 || !ascii(head, 0, 'ID3')) return 0;
  // The size is "synchsafe": 4 bytes of 7 bits each, so that it can never contain an MPEG sync pattern.
  const size = ((head[6]! & 0x7f) << 21) | ((head[7]! & 0x7f) << 14) | ((head[8]! & 0x7f) << 7) | (head[9]! & 0x7f);
  const footer = (head[5]! & 0x10) !== 0 ? 10 : 0;
  return 10 + size + footer;
}

/** An MPEG audio frame header (layer I-III) at `at`: sync, a defined layer, a usable bitrate and sample rate. */
function isMpegFrameHeader(b: Uint8Array, at: number): boolean {
  if (b.length < at + 4) return false;
  const b1 = b[at + 1]!;
  const b2 = b[at + 2]!;
  const layer = (b1 >> 1) & 3;
  const version = (b1 >> 3) & 3;
  // layer 00 is reserved (and is what AAC's ADTS uses), version 01 reserved, bitrate 1111 and rate 11 invalid
  return b[at] === 0xff && (b1 & 0xe0) === 0xe0 && layer !== 0 && version !== 1 && b2 >> 4 !== 15 && ((b2 >> 2) & 3) !== 3;
}

/**
 * Identifies the container and codec from a file's first bytes (at least SNIFF_BYTES where the file has them), or
 * null. An ID3v2 tag says nothing about what follows it: callers skip id3v2Length(head) bytes and sniff again there.
 */
export function sniffFormat(head: Uint8Array): AudioFormat | null {
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return 'wav';
  if (ascii(head, 0, 'fLaC')) return 'flac';
  if (ascii(head, 0, 'OggS') && head.length >= 27) {
    // The first page holds exactly the codec's identification packet: it starts after the segment table.
    const packet = 27 + head[26]!;
    if (ascii(head, packet, 'OpusHead')) return 'ogg-opus';
    if (head[packet] === 1 && ascii(head, packet + 1, 'vorbis')) return 'ogg-vorbis';
    return null;
  }
  if (isMpegFrameHeader(head, 0)) return 'mp3';
  return null;
}

/**
 * Total samples per channel declared by a FLAC file's STREAMINFO (the first metadata block), or null when unknown
 * (the encoder may write 0, e.g. when streaming). Pure. Used to tell a truncated FLAC from a complete one.
 */
export function flacDeclaredSamples(head: Uint8Array): number | null {
  if (head.length < 8 + 18 || !ascii(head, 0, 'fLaC') || (head[4]! & 0x7f) !== 0) return null;
  const info = 8; // 'fLaC' + the 4-byte metadata block header
  // 36 bits: the low nibble of STREAMINFO byte 13, then bytes 14-17 (big-endian)
  const high = head[info + 13]! & 0x0f;
  const low = ((head[info + 14]! << 24) >>> 0) + (head[info + 15]! << 16) + (head[info + 16]! << 8) + head[info + 17]!;
  const total = high * 2 ** 32 + low;
  return total > 0 ? total : null;
}

/** Planar float channels at the file's own rate; the CLI's FeaturePipeline downmixes and resamples. */
export type AudioBlock = WavAudio;

/** What every decoder below is driven through. */
interface BlockDecoder {
  decode(bytes: Uint8Array): Promise<AudioBlock | null>;
  /** end of input: what the decoder still held back */
  finish(): Promise<AudioBlock | null>;
  /** survivable problems, complete once finish() has returned */
  warnings(): string[];
  free(): void;
}

/** The shape shared by the wasm-audio-decoders decoders' results. */
interface LibResult {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string }[];
}

interface LibDecoder {
  ready: Promise<void>;
  decode(data: Uint8Array): LibResult | Promise<LibResult>;
  flush?: () => Promise<LibResult>;
  free(): void;
}

function wavDecoder(): BlockDecoder {
  const d = new WavStreamDecoder();
  let warnings: string[] = [];
  return {
    decode: async (bytes) => d.push(bytes),
    finish: async () => {
      warnings = d.end().warnings;
      return null;
    },
    warnings: () => warnings,
    free: () => {},
  };
}

/**
 * Zero bytes fed to the FLAC decoder after the file, before flush. Why: codec-parser 2.5 (inside the FLAC decoder)
 * splits raw FLAC into frames by finding the next frame header, which needs up to 16 bytes after it. When the last frame
 * is shorter than that (a constant frame: trailing digital silence, common in speech files), both final frames are
 * still unsplit at flush, where the parser takes all that is left as one frame; its CRC-16 check passes (a valid frame
 * leaves the CRC at zero, so two valid frames in a row pass too), and libFLAC decodes only the first of the two, losing
 * up to one block (4096 samples). With padding, the last header is readable before flush and the frames split; the
 * zeros after the final frame do not change its CRC (it stays zero) and libFLAC ignores them.
 */
export const FLAC_TAIL = new Uint8Array(64);

/** Adapts a wasm-audio-decoders decoder; counts its frame errors (bad frames are skipped, not fatal) for a warning. */
function libDecoder(lib: LibDecoder, format: AudioFormat, declaredSamples: number | null, tail: Uint8Array | null = null): BlockDecoder {
  let errors = 0;
  let firstError = '';
  let samples = 0;
  let rate = 0;
  const take = (r: LibResult): AudioBlock | null => {
    if (r.errors.length > 0 && errors === 0) firstError = r.errors[0]?.message ?? '';
    errors += r.errors.length;
    if (r.samplesDecoded === 0 || !(r.sampleRate > 0)) return null;
    samples += r.samplesDecoded;
    rate = r.sampleRate;
    // The decoders may hand out views into their WebAssembly memory: copy only what this block really holds.
    return { sampleRate: r.sampleRate, channels: r.channelData.map((c) => c.slice(0, r.samplesDecoded)) };
  };
  return {
    decode: async (bytes) => take(await lib.decode(bytes)),
    finish: async () => {
      const beforeFlush = tail ? take(await lib.decode(tail)) : null;
      const flushed = lib.flush ? take(await lib.flush()) : null;
      return joinBlocks(beforeFlush, flushed);
    },
    warnings: () => {
      const out: string[] = [];
      if (errors > 0) out.push(`${errors} ${format} decoding error(s), those frames were skipped (first: ${firstError})`);
      if (declaredSamples !== null && rate > 0 && samples < declaredSamples) {
        out.push(
          `truncated ${format.toUpperCase()}: the header declares ${declaredSamples} samples (${(declaredSamples / rate).toFixed(2)} s) ` +
            `but only ${samples} (${(samples / rate).toFixed(2)} s) could be decoded; transcribed only the audio that is there`,
        );
      }
      return out;
    },
    free: () => lib.free(),
  };
}

function joinBlocks(a: AudioBlock | null, b: AudioBlock | null): AudioBlock | null {
  if (!a || !b) return a ?? b;
  const n = a.channels[0]?.length ?? 0;
  const channels = a.channels.map((c, i) => {
    const out = new Float32Array(n + (b.channels[i]?.length ?? 0));
    out.set(c);
    out.set(b.channels[i] ?? new Float32Array(0), n);
    return out;
  });
  return { sampleRate: a.sampleRate, channels };
}

/** Loads a decoder's WebAssembly only for the format in hand (a WAV run loads none of them). */
async function createDecoder(format: AudioFormat, head: Uint8Array): Promise<BlockDecoder> {
  let lib: LibDecoder;
  switch (format) {
    case 'wav':
      return wavDecoder();
    case 'flac':
      lib = new (await import('@wasm-audio-decoders/flac')).FLACDecoder();
      break;
    case 'mp3':
      // gapless: the LAME/Xing header's encoder delay and padding are trimmed, so durations come out right
      lib = new (await import('mpg123-decoder')).MPEGDecoder({ enableGapless: true });
      break;
    case 'ogg-vorbis':
      lib = new (await import('@wasm-audio-decoders/ogg-vorbis')).OggVorbisDecoder();
      break;
    case 'ogg-opus':
      lib = new (await import('ogg-opus-decoder')).OggOpusDecoder();
      break;
  }
  await lib.ready;
  return format === 'flac' ? libDecoder(lib, format, flacDeclaredSamples(head), FLAC_TAIL) : libDecoder(lib, format, null);
}

async function readAt(path: string, offset: number, length: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(length);
    const { bytesRead } = await fh.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Sniffs a file's format, looking past an ID3v2 tag (MP3s and, rarely, FLACs carry one). */
export async function detectFormat(path: string): Promise<{ format: AudioFormat; head: Uint8Array }> {
  const head = await readAt(path, 0, SNIFF_BYTES);
  const skip = id3v2Length(head);
  const after = skip > 0 ? await readAt(path, skip, SNIFF_BYTES) : head;
  // After an ID3 tag, MPEG audio may start with padding or junk before the first frame sync; mpg123 resyncs itself.
  const format = sniffFormat(after) ?? (skip > 0 ? 'mp3' : null);
  if (!format) {
    if (head.length === 0) throw new AudioFormatError('empty file');
    throw new AudioFormatError(`unrecognised audio format (the CLI reads ${SUPPORTED_FORMATS})`);
  }
  return { format, head: after };
}

export interface AudioReader {
  readonly format: AudioFormat;
  /** decoded blocks in order; the file is read as they are consumed */
  blocks(): AsyncGenerator<AudioBlock>;
  /** survivable problems (truncation, skipped frames); complete once blocks() has been exhausted */
  readonly warnings: string[];
}

/** Opens an audio file for streaming decoding. Rejects with AudioFormatError for anything it cannot read. */
export async function openAudioFile(path: string, readBytes = READ_BYTES): Promise<AudioReader> {
  const { format, head } = await detectFormat(path);
  const warnings: string[] = [];
  async function* blocks(): AsyncGenerator<AudioBlock> {
    const decoder = await createDecoder(format, head);
    try {
      for await (const piece of createReadStream(path, { highWaterMark: readBytes })) {
        const block = await decoder.decode(piece as Uint8Array);
        if (block && (block.channels[0]?.length ?? 0) > 0) yield block;
      }
      const tail = await decoder.finish();
      if (tail && (tail.channels[0]?.length ?? 0) > 0) yield tail;
      warnings.push(...decoder.warnings());
    } finally {
      decoder.free();
    }
  }
  return { format, blocks, warnings };
}

// Minimal RIFF/WAVE reader: PCM 8/16/24/32-bit integer and 32/64-bit float (also inside WAVE_FORMAT_EXTENSIBLE),
// any channel count and sample rate. Returns planar float channels in [-1, 1]. Incremental (WavStreamDecoder), so the
// CLI streams long files with flat memory, and it reports a data chunk cut short instead of silently decoding a fragment.

export interface WavAudio {
  sampleRate: number;
  channels: Float32Array[];
}

export class WavError extends Error {
  override name = 'WavError';
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

function tag(v: DataView, at: number): string {
  return String.fromCharCode(v.getUint8(at), v.getUint8(at + 1), v.getUint8(at + 2), v.getUint8(at + 3));
}

interface Format {
  format: number;
  channels: number;
  sampleRate: number;
  bits: number;
}

function readFormat(v: DataView, at: number, size: number): Format {
  if (size < 16) throw new WavError('fmt chunk too short');
  let format = v.getUint16(at, true);
  const bits = v.getUint16(at + 14, true);
  if (format === FORMAT_EXTENSIBLE) {
    if (size < 40) throw new WavError('WAVE_FORMAT_EXTENSIBLE fmt chunk too short');
    format = v.getUint16(at + 24, true); // first two bytes of the sub-format GUID
  }
  return { format, channels: v.getUint16(at + 2, true), sampleRate: v.getUint32(at + 4, true), bits };
}

function sampleReader(f: Format): (v: DataView, at: number) => number {
  if (f.format === FORMAT_FLOAT && f.bits === 32) return (v, at) => v.getFloat32(at, true);
  if (f.format === FORMAT_FLOAT && f.bits === 64) return (v, at) => v.getFloat64(at, true);
  if (f.format !== FORMAT_PCM) throw new WavError(`unsupported WAV format tag ${f.format} (${f.bits}-bit)`);
  switch (f.bits) {
    case 8:
      return (v, at) => (v.getUint8(at) - 128) / 128;
    case 16:
      return (v, at) => v.getInt16(at, true) / 32768;
    case 24:
      return (v, at) => ((v.getUint8(at) | (v.getUint8(at + 1) << 8) | (v.getInt8(at + 2) << 16)) / 8388608);
    case 32:
      return (v, at) => v.getInt32(at, true) / 2147483648;
    default:
      throw new WavError(`unsupported PCM bit depth ${f.bits}`);
  }
}

/** What the header says, once the decoder has read up to the start of the data chunk. */
export interface WavInfo {
  sampleRate: number;
  channels: number;
  /** bytes per sample frame (all channels) */
  blockAlign: number;
  /** the data chunk's declared size in bytes; null when the writer left it open (0 or 0xFFFFFFFF, e.g. from a pipe) */
  declaredDataBytes: number | null;
}

/** A parsed WAV, whole; `warnings` says what is wrong with the file but was survivable (see WavStreamDecoder.end). */
export interface ParsedWav extends WavAudio {
  warnings: string[];
}

type Stage =
  | { kind: 'riff' }
  | { kind: 'chunk' }
  | { kind: 'fmt'; size: number }
  | { kind: 'skip'; left: number }
  | { kind: 'data'; left: number | null }
  | { kind: 'done' };

const OPEN_SIZES = new Set([0, 0xffffffff]);

/**
 * Incremental RIFF/WAVE reader: feed the file in pieces of any size, get each piece's samples back as soon as whole
 * sample frames are there. Memory stays at one piece plus less than one sample frame, so an hour-long file costs what
 * a second does. Chunks other than fmt/data are skipped without being buffered.
 */
export class WavStreamDecoder {
  private stage: Stage = { kind: 'riff' };
  /** bytes of an unfinished header field or sample frame, carried to the next push */
  private carry = new Uint8Array(0);
  private fmt: Format | null = null;
  private read: ((v: DataView, at: number) => number) | null = null;
  private infoValue: WavInfo | null = null;
  private dataBytes = 0;

  /** Null until the data chunk has started. */
  get info(): WavInfo | null {
    return this.infoValue;
  }

  /** Data bytes decoded so far (whole sample frames only). */
  get decodedDataBytes(): number {
    return this.dataBytes;
  }

  /** Decodes what `bytes` completes; an empty block until the header has been read. */
  push(bytes: Uint8Array): WavAudio {
    let buf = this.carry.length === 0 ? bytes : concat(this.carry, bytes);
    const blocks: WavAudio[] = [];
    for (;;) {
      const used = this.step(buf, blocks);
      if (used === 0) break;
      buf = buf.subarray(used);
    }
    // slice: the caller may reuse its buffer (fs streams do), and the carry must not alias it
    this.carry = buf.slice();
    return joinBlocks(blocks, this.infoValue);
  }

  /**
   * End of input. Throws WavError when no audio could be found; returns warnings for a file that ends early, i.e. a
   * data chunk shorter than its header says (a crashed recorder, an interrupted copy). Everything that was there has
   * been decoded by then: the warning is how the caller learns that it is a fragment.
   */
  end(): { warnings: string[] } {
    const s = this.stage;
    if (s.kind === 'riff') throw new WavError('not a RIFF/WAVE file');
    if (!this.infoValue) throw new WavError(this.fmt ? 'no data chunk' : 'no fmt chunk');
    const warnings: string[] = [];
    if (s.kind === 'data' && s.left !== null && s.left > 0) warnings.push(truncationWarning(this.infoValue, this.dataBytes + this.carry.length));
    else if (this.carry.length > 0 && s.kind === 'data') {
      warnings.push(`WAV data ends inside a sample frame: the last ${this.carry.length} byte(s) were dropped`);
    }
    this.carry = new Uint8Array(0);
    return { warnings };
  }

  /** Consumes one header item or one run of sample frames from `buf`; returns the bytes used (0: need more input). */
  private step(buf: Uint8Array, out: WavAudio[]): number {
    const s = this.stage;
    const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    switch (s.kind) {
      case 'riff':
        if (buf.length < 12) return 0;
        if (tag(v, 0) !== 'RIFF' || tag(v, 8) !== 'WAVE') throw new WavError('not a RIFF/WAVE file');
        this.stage = { kind: 'chunk' };
        return 12;
      case 'chunk': {
        if (buf.length < 8) return 0;
        const id = tag(v, 0);
        const size = v.getUint32(4, true);
        if (id === 'fmt ') this.stage = { kind: 'fmt', size };
        else if (id === 'data') this.startData(size);
        else this.stage = size === 0 ? { kind: 'chunk' } : { kind: 'skip', left: size + (size & 1) };
        return 8;
      }
      case 'fmt': {
        const need = s.size + (s.size & 1);
        if (buf.length < need) return 0;
        this.fmt = readFormat(v, 0, s.size);
        this.stage = { kind: 'chunk' };
        return need;
      }
      case 'skip': {
        const n = Math.min(s.left, buf.length);
        if (n === 0) return 0;
        this.stage = s.left - n > 0 ? { kind: 'skip', left: s.left - n } : { kind: 'chunk' };
        return n;
      }
      case 'data':
        return this.decodeData(buf, v, s.left, out);
      case 'done':
        return buf.length; // trailing chunks (LIST, id3) after the data carry no audio: drop, never buffer them
    }
  }

  private startData(size: number): void {
    const f = this.fmt;
    if (!f) throw new WavError('data chunk before fmt chunk');
    if (f.channels < 1) throw new WavError('zero channels');
    if (!(f.sampleRate > 0)) throw new WavError('zero sample rate');
    this.read = sampleReader(f);
    const declared = OPEN_SIZES.has(size) ? null : size;
    this.infoValue = { sampleRate: f.sampleRate, channels: f.channels, blockAlign: (f.bits / 8) * f.channels, declaredDataBytes: declared };
    this.stage = declared === 0 || declared === null ? { kind: 'data', left: null } : { kind: 'data', left: declared };
  }

  private decodeData(buf: Uint8Array, v: DataView, left: number | null, out: WavAudio[]): number {
    const info = this.infoValue as WavInfo;
    const avail = left === null ? buf.length : Math.min(left, buf.length);
    const frames = Math.floor(avail / info.blockAlign);
    if (frames === 0) {
      if (left !== null && left < info.blockAlign && buf.length >= left) {
        // a declared size that is not a multiple of the frame size: the odd bytes are not audio
        this.stage = { kind: 'done' };
        return left;
      }
      return 0;
    }
    const used = frames * info.blockAlign;
    out.push(decodeFrames(v, 0, frames, this.fmt as Format, this.read as (v: DataView, at: number) => number));
    this.dataBytes += used;
    this.stage = left === null ? { kind: 'data', left: null } : left - used > 0 ? { kind: 'data', left: left - used } : { kind: 'done' };
    return used;
  }
}

function truncationWarning(info: WavInfo, haveBytes: number): string {
  const declared = info.declaredDataBytes ?? 0;
  const secs = (bytes: number): string => (bytes / info.blockAlign / info.sampleRate).toFixed(2);
  return (
    `truncated WAV: the data chunk declares ${declared} bytes (${secs(declared)} s) but the file ends after ` +
    `${haveBytes} (${secs(haveBytes)} s); transcribed only the audio that is there`
  );
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function joinBlocks(blocks: WavAudio[], info: WavInfo | null): WavAudio {
  const sampleRate = info?.sampleRate ?? 0;
  if (blocks.length === 1) return blocks[0] as WavAudio;
  const channels = info?.channels ?? 0;
  const total = blocks.reduce((n, b) => n + (b.channels[0]?.length ?? 0), 0);
  const out = Array.from({ length: channels }, () => new Float32Array(total));
  let at = 0;
  for (const b of blocks) {
    b.channels.forEach((c, i) => out[i]?.set(c, at));
    at += b.channels[0]?.length ?? 0;
  }
  return { sampleRate, channels: out };
}

/** Whole-buffer convenience over WavStreamDecoder (tests, benches): same decoding, same warnings. */
export function parseWav(bytes: Uint8Array): ParsedWav {
  const d = new WavStreamDecoder();
  const audio = d.push(bytes);
  const { warnings } = d.end();
  return { ...audio, warnings };
}

function decodeFrames(v: DataView, start: number, frames: number, f: Format, read: (v: DataView, at: number) => number): WavAudio {
  const width = f.bits / 8;
  const channels = Array.from({ length: f.channels }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < f.channels; c++) {
      (channels[c] as Float32Array)[i] = read(v, start + (i * f.channels + c) * width);
    }
  }
  return { sampleRate: f.sampleRate, channels };
}

/** Writes 16-bit PCM or 32-bit float WAV bytes (tests and tools). */
export function encodeWav(channels: readonly Float32Array[], sampleRate: number, bits: 8 | 16 | 24 | 32 | 'float'): Uint8Array {
  const n = channels[0]?.length ?? 0;
  const width = bits === 'float' ? 4 : bits / 8;
  const dataBytes = n * channels.length * width;
  const out = new Uint8Array(44 + dataBytes);
  const v = new DataView(out.buffer);
  const put = (at: number, s: string): void => [...s].forEach((ch, i) => v.setUint8(at + i, ch.charCodeAt(0)));
  put(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, bits === 'float' ? FORMAT_FLOAT : FORMAT_PCM, true);
  v.setUint16(22, channels.length, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * channels.length * width, true);
  v.setUint16(32, channels.length * width, true);
  v.setUint16(34, width * 8, true);
  put(36, 'data');
  v.setUint32(40, dataBytes, true);
  let at = 44;
  for (let i = 0; i < n; i++) {
    for (const ch of channels) {
      const x = Math.max(-1, Math.min(1, ch[i] ?? 0));
      if (bits === 'float') v.setFloat32(at, x, true);
      else if (bits === 8) v.setUint8(at, Math.round(x * 127) + 128);
      else if (bits === 16) v.setInt16(at, Math.round(x * 32767), true);
      else if (bits === 24) {
        const s = Math.round(x * 8388607);
        v.setUint8(at, s & 0xff);
        v.setUint8(at + 1, (s >> 8) & 0xff);
        v.setUint8(at + 2, (s >> 16) & 0xff);
      } else v.setInt32(at, Math.round(x * 2147483647), true);
      at += width;
    }
  }
  return out;
}

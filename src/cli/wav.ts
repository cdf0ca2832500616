// Minimal RIFF/WAVE reader: PCM 8/16/24/32-bit integer and 32-bit float (also inside WAVE_FORMAT_EXTENSIBLE),
// any channel count and sample rate. Returns planar float channels in [-1, 1].

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

export function parseWav(bytes: Uint8Array): WavAudio {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || tag(v, 0) !== 'RIFF' || tag(v, 8) !== 'WAVE') throw new WavError('not a RIFF/WAVE file');
  let fmt: Format | null = null;
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const id = tag(v, pos);
    const size = v.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'fmt ') fmt = readFormat(v, body, size);
    if (id === 'data') {
      if (!fmt) throw new WavError('data chunk before fmt chunk');
      // Streamed WAVs (e.g. from a pipe) may carry a 0 or 0xFFFFFFFF size: take what is there.
      const end = size === 0 || body + size > bytes.length ? bytes.length : body + size;
      return decode(v, body, end, fmt);
    }
    pos = body + size + (size & 1);
  }
  throw new WavError(fmt ? 'no data chunk' : 'no fmt chunk');
}

function decode(v: DataView, start: number, end: number, f: Format): WavAudio {
  if (f.channels < 1) throw new WavError('zero channels');
  if (!(f.sampleRate > 0)) throw new WavError('zero sample rate');
  const read = sampleReader(f);
  const width = f.bits / 8;
  const frames = Math.floor((end - start) / (width * f.channels));
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

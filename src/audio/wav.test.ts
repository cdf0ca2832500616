import { describe, expect, it } from 'vitest';
import { encodeWav, parseWav, WavError, WavStreamDecoder, type WavAudio } from './wav';

const ramp = Float32Array.from({ length: 50 }, (_, i) => (i - 25) / 26);

describe('parseWav', () => {
  for (const bits of [8, 16, 24, 32, 'float'] as const) {
    it(`reads ${bits}-bit stereo back within quantisation error`, () => {
      const right = ramp.map((x) => -x / 2);
      const wav = parseWav(encodeWav([ramp, right], 22050, bits));
      expect(wav.sampleRate).toBe(22050);
      expect(wav.channels).toHaveLength(2);
      const tol = bits === 8 ? 1 / 64 : 1e-4;
      wav.channels[0]?.forEach((v, i) => expect(Math.abs(v - (ramp[i] ?? 0))).toBeLessThan(tol));
      wav.channels[1]?.forEach((v, i) => expect(Math.abs(v - (right[i] ?? 0))).toBeLessThan(tol));
    });
  }

  it('skips unknown chunks before data and handles odd chunk padding', () => {
    const plain = encodeWav([ramp], 16000, 16);
    const extra = new Uint8Array([...'LIST'].map((c) => c.charCodeAt(0)).concat([3, 0, 0, 0, 1, 2, 3, 0]));
    const bytes = new Uint8Array(plain.length + extra.length);
    bytes.set(plain.subarray(0, 36));
    bytes.set(extra, 36);
    bytes.set(plain.subarray(36), 36 + extra.length);
    expect(parseWav(bytes).channels[0]?.length).toBe(50);
  });

  it('rejects non-WAV input and unsupported formats with WavError', () => {
    expect(() => parseWav(new TextEncoder().encode('hello, this is not a wav'))).toThrow(WavError);
    const alaw = encodeWav([ramp], 8000, 16);
    new DataView(alaw.buffer).setUint16(20, 6, true);
    expect(() => parseWav(alaw)).toThrow(/format tag 6/);
  });

  it('reads a clean file without warnings', () => {
    expect(parseWav(encodeWav([ramp], 16000, 16)).warnings).toEqual([]);
  });

  it('warns on a truncated data chunk and still decodes what is there', () => {
    const full = encodeWav([ramp], 16000, 16); // 44-byte header + 100 data bytes
    const cut = parseWav(full.subarray(0, 44 + 61)); // 30 whole frames and half of one more
    expect(cut.channels[0]).toHaveLength(30);
    cut.channels[0]?.forEach((v, i) => expect(Math.abs(v - (ramp[i] ?? 0))).toBeLessThan(1e-4));
    expect(cut.warnings).toHaveLength(1);
    expect(cut.warnings[0]).toMatch(/truncated WAV: the data chunk declares 100 bytes .* ends after 61/);
  });

  it('takes an open-ended data size (0 or 0xFFFFFFFF, as written to a pipe) as "to the end of the file", silently', () => {
    for (const size of [0, 0xffffffff]) {
      const bytes = encodeWav([ramp], 16000, 16);
      new DataView(bytes.buffer).setUint32(40, size, true);
      const wav = parseWav(bytes);
      expect(wav.channels[0]).toHaveLength(50);
      expect(wav.warnings).toEqual([]);
    }
  });

  it('ignores chunks after the data chunk', () => {
    const plain = encodeWav([ramp], 16000, 16);
    const trailer = new Uint8Array([...'LIST'].map((c) => c.charCodeAt(0)).concat([4, 0, 0, 0, 9, 9, 9, 9]));
    const bytes = new Uint8Array(plain.length + trailer.length);
    bytes.set(plain);
    bytes.set(trailer, plain.length);
    const wav = parseWav(bytes);
    expect(wav.channels[0]).toHaveLength(50);
    expect(wav.warnings).toEqual([]);
  });
});

describe('WavStreamDecoder', () => {
  const collect = (blocks: WavAudio[]): Float32Array[] => {
    const n = blocks.reduce((a, b) => a + (b.channels[0]?.length ?? 0), 0);
    const out = [new Float32Array(n), new Float32Array(n)];
    let at = 0;
    for (const b of blocks) {
      b.channels.forEach((c, i) => out[i]?.set(c, at));
      at += b.channels[0]?.length ?? 0;
    }
    return out;
  };

  it('gives the same samples whatever the piece size, including pieces that split headers and frames', () => {
    const right = ramp.map((x) => x / 3);
    const bytes = encodeWav([ramp, right], 8000, 24); // 6-byte frames: most piece sizes cut one in two
    const whole = parseWav(bytes);
    for (const piece of [1, 5, 7, 13, 64]) {
      const d = new WavStreamDecoder();
      const blocks: WavAudio[] = [];
      for (let i = 0; i < bytes.length; i += piece) blocks.push(d.push(bytes.subarray(i, i + piece)));
      expect(d.end().warnings).toEqual([]);
      expect(d.info).toEqual({ sampleRate: 8000, channels: 2, blockAlign: 6, declaredDataBytes: 300 });
      const [l, r] = collect(blocks);
      expect(l).toEqual(whole.channels[0]);
      expect(r).toEqual(whole.channels[1]);
    }
  });

  it('does not alias the caller\'s buffer across pushes (fs streams may reuse it)', () => {
    const bytes = encodeWav([ramp], 16000, 16);
    const d = new WavStreamDecoder();
    const scratch = new Uint8Array(45); // header + 1 byte: that byte must be carried as a copy
    scratch.set(bytes.subarray(0, 45));
    d.push(scratch);
    scratch.fill(0xff);
    const rest = d.push(bytes.subarray(45));
    expect(rest.channels[0]?.[0]).toBeCloseTo(ramp[0] ?? 0, 4);
  });

  it('reports why there is no audio at the end of the input', () => {
    const headerOnly = new WavStreamDecoder();
    headerOnly.push(encodeWav([ramp], 16000, 16).subarray(0, 36));
    expect(() => headerOnly.end()).toThrow(/no data chunk/);
    const empty = new WavStreamDecoder();
    expect(() => empty.end()).toThrow(/not a RIFF\/WAVE file/);
  });
});


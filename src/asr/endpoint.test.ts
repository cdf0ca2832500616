import { describe, expect, it } from 'vitest';
import { Endpointer, frameEnergyDb } from './endpoint';

const frame = (level: number): Float32Array => new Float32Array(80).fill(level);
const silence = frame(Math.log(1e-6));
const speech = frame(Math.log(10));

describe('frameEnergyDb', () => {
  it('is 10*log10 of the summed mel energies', () => {
    expect(frameEnergyDb(frame(0))).toBeCloseTo(10 * Math.log10(80), 6);
    expect(frameEnergyDb(frame(-1000))).toBeCloseTo(10 * Math.log10(80) - 10000 / Math.LN10, 3);
  });
});

describe('Endpointer', () => {
  const opts = { silenceMs: 500, frameMs: 10 };

  it('finalizes after 500 ms of quiet frames without tokens, not before', () => {
    const ep = new Endpointer(opts);
    for (let i = 0; i < 30; i++) ep.observeFrame(silence);
    for (let i = 0; i < 50; i++) expect(ep.observeFrame(speech)).toBe(true);
    ep.observeToken();
    for (let i = 0; i < 49; i++) ep.observeFrame(silence);
    expect(ep.shouldFinalize('hello')).toBe(false);
    ep.observeFrame(silence);
    expect(ep.shouldFinalize('hello')).toBe(true);
    expect(ep.shouldFinalize('')).toBe(false);
  });

  it('does not finalize while tokens keep coming, even in quiet', () => {
    const ep = new Endpointer(opts);
    for (let i = 0; i < 100; i++) {
      ep.observeFrame(silence);
      if (i % 40 === 0) ep.observeToken();
    }
    expect(ep.shouldFinalize('x')).toBe(false);
  });

  it('does not finalize during loud frames even without tokens', () => {
    const ep = new Endpointer(opts);
    for (let i = 0; i < 20; i++) ep.observeFrame(silence);
    for (let i = 0; i < 100; i++) ep.observeFrame(speech);
    expect(ep.shouldFinalize('x')).toBe(false);
  });

  it('needs a fresh stretch of silence after resetUtterance', () => {
    const ep = new Endpointer(opts);
    for (let i = 0; i < 60; i++) ep.observeFrame(silence);
    expect(ep.shouldFinalize('x')).toBe(true);
    ep.resetUtterance();
    expect(ep.shouldFinalize('y')).toBe(false);
  });
});

describe('energy across front-end versions', () => {
  it('reads the same loudness from version 1 and version 2 (Whisper) features of one mel energy', async () => {
    const { featureToNaturalLog, logCompression } = await import('../audio/frontend');
    const { readFileSync } = await import('node:fs');
    const v1 = JSON.parse(readFileSync(new URL('../../models/frontend.json', import.meta.url), 'utf8'));
    const v2 = JSON.parse(readFileSync(new URL('../../models/frontend-whisper.json', import.meta.url), 'utf8'));
    const mel = Array.from({ length: 80 }, (_, i) => 1e-3 * (1 + (i % 7)));
    const f1 = Float32Array.from(mel, logCompression(v1));
    const f2 = Float32Array.from(mel, logCompression(v2));
    expect(frameEnergyDb(f2, featureToNaturalLog(v2))).toBeCloseTo(frameEnergyDb(f1, featureToNaturalLog(v1)), 1); // v1 adds its 1e-6 offset
    // read without the mapping, Whisper's scaled log10 would look ~40 dB quieter: every frame would be "quiet"
    expect(Math.abs(frameEnergyDb(f2) - frameEnergyDb(f1))).toBeGreaterThan(20);
  });
});

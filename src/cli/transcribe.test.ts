// The CLI's streaming loop on the fake engine (no models needed); transcribe.int.test.ts runs the real models.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../asr/manifest';
import { createRecognizer } from '../asr/recognizer';
import type { RecognizerEvent } from '../asr/types';
import { fakeLoader } from '../test-fixtures/fake-engine';
import { manifestJson } from '../test-fixtures/manifest-fixture';
import type { AudioBlock } from './audio-input';
import { runCli, splitBlock, transcribeBlocks } from './transcribe';

const block = (sampleRate: number, n: number, channels = 1): AudioBlock => ({
  sampleRate,
  channels: Array.from({ length: channels }, (_, c) => Float32Array.from({ length: n }, (_, i) => c * 1000 + i)),
});

async function* blocks(...bs: AudioBlock[]): AsyncGenerator<AudioBlock> {
  for (const b of bs) yield b;
}

async function recognizer(script: number[][] = [], finals: string[] = []) {
  const manifest = parseManifest(manifestJson());
  const loader = fakeLoader(script, manifest.vocabulary.length);
  const listener = (e: RecognizerEvent): void => {
    if (e.type === 'final') finals.push(e.text);
  };
  return { rec: await createRecognizer({ manifest, loader, listener }), loader };
}

describe('splitBlock', () => {
  it('cuts every channel at the same places, as views, and keeps the remainder', () => {
    const pieces = [...splitBlock(block(8000, 10, 2), 4)];
    expect(pieces.map((p) => p.map((c) => [...c]))).toEqual([
      [[0, 1, 2, 3], [1000, 1001, 1002, 1003]],
      [[4, 5, 6, 7], [1004, 1005, 1006, 1007]],
      [[8, 9], [1008, 1009]],
    ]);
    expect([...splitBlock(block(8000, 0), 4)]).toEqual([]);
  });
});

describe('transcribeBlocks', () => {
  it('streams blocks of any size through one front end and counts the samples', async () => {
    const { rec, loader } = await recognizer();
    // 1.5 s at 16 kHz in uneven blocks: one front end for all of them, so frames do not restart at block edges
    const res = await transcribeBlocks(rec, blocks(block(16000, 7000), block(16000, 9000), block(16000, 8000)), []);
    expect(res).toMatchObject({ samples: 24000, sampleRate: 16000, text: '' });
    // (24000 - 400) / 160 + 1 = 148 feature frames -> 9 full chunks of 16 and a padded tail chunk
    expect(loader.encoders.get('s0')?.inputs.length).toBeGreaterThanOrEqual(9);
    await rec.dispose();
  });

  it('refuses a sample rate that changes inside a file (chained Ogg streams)', async () => {
    const { rec } = await recognizer();
    await expect(transcribeBlocks(rec, blocks(block(16000, 4000), block(22050, 4000)), [])).rejects.toThrow(
      /sample rate changes inside the file \(16000 -> 22050 Hz\)/,
    );
    await rec.dispose();
  });

  it('returns only the finals this stream produced, not those of earlier files', async () => {
    const finals = ['from an earlier file'];
    const { rec } = await recognizer([], finals);
    // the fake encoder emits only on its indexed test frames, so real audio yields no text here
    expect((await transcribeBlocks(rec, blocks(block(16000, 8000)), finals)).text).toBe('');
    await rec.dispose();
  });
});

describe('--final-pass', () => {
  it('refuses a second pass the manifest does not offer, before loading anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnisparse-final-pass-'));
    const manifest = join(dir, 'manifest.json');
    writeFileSync(manifest, JSON.stringify(manifestJson())); // no finalPass, no model files
    const err: string[] = [];
    const code = await runCli(['a.wav', '--final-pass', 'whisper', '--manifest', manifest], { out: () => {}, err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err).toEqual([`error: --final-pass whisper: ${manifest} offers none on level s0`]);
  });
});

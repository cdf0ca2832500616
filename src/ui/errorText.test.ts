import { describe, expect, it } from 'vitest';
import { NO_AUDIO_MESSAGE, RecognizerError } from '../asr/errors';
import { fetchModelFile, loadManifest } from '../asr/manifest';
import { checkModelBytes } from '../asr/model-bytes';
import type { RecognizerErrorCode } from '../asr/types';
import { manifestJson } from '../test-fixtures/manifest-fixture';
import { errorText } from './errorText';

describe('errorText', () => {
  it('tells mic failures that files still work', () => {
    expect(errorText('mic-denied').hint).toMatch(/audio files/);
    expect(errorText('mic-missing').hint).toMatch(/audio files/);
  });
  it('tells an unplugged microphone that what it heard is kept', () => {
    expect(errorText('mic-lost').hint).toMatch(/heard until then is kept/);
  });
  it('tells a file with no samples from one that cannot be decoded', () => {
    expect(errorText('decode-failed', NO_AUDIO_MESSAGE).title).toBe('The file holds no audio');
    expect(errorText('decode-failed', 'cannot decode this audio file: EncodingError')).toEqual(errorText('decode-failed'));
  });
  it('has a title for every code', () => {
    for (const code of ['mic-lost', 'no-audioworklet', 'no-wasm', 'model-missing', 'model-corrupt', 'decode-failed', 'internal'] as const) {
      expect(errorText(code).title.length).toBeGreaterThan(5);
    }
  });
});

// The messages are made by the functions that throw them in the app, so rewording one fails here.
describe('errorText refines model failures by their message', () => {
  const url = 'http://localhost/models/manifest.json';
  const thrown = async (p: Promise<unknown>): Promise<{ code: RecognizerErrorCode; message: string }> => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RecognizerError);
    return err as RecognizerError;
  };
  const text = (e: { code: RecognizerErrorCode; message: string }) => errorText(e.code, e.message);

  it('a file the server does not have (HTTP 404)', async () => {
    const e = await thrown(fetchModelFile('http://localhost/models/levels/s00/encoder.onnx', async () => new Response('no', { status: 404 })));
    expect(e.code).toBe('model-missing');
    expect(text(e).title).toBe('A model file is missing on the server');
    expect(text(e).hint).toContain('encoder.onnx (HTTP 404)');
  });

  it('another HTTP failure, and no connection at all', async () => {
    const e500 = await thrown(fetchModelFile(url, async () => new Response('', { status: 503 })));
    expect(text(e500).title).toBe('The server could not deliver the model');
    const offline = await thrown(
      fetchModelFile(url, async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    expect(text(offline).title).toBe('Could not download the model');
    expect(text(offline).hint).toMatch(/online/);
  });

  it('a manifest that is not JSON, and one missing a required field', async () => {
    const broken = await thrown(loadManifest(url, async () => new Response('{"formatVersion": 2, "levels": [')));
    expect(broken.code).toBe('model-corrupt');
    expect(text(broken).title).toBe('The model list is damaged');
    await expect(loadManifest(url, async () => new Response(JSON.stringify(manifestJson())))).resolves.toBeDefined();
    const rest = manifestJson();
    delete rest.levels;
    const noLevels = await thrown(loadManifest(url, async () => new Response(JSON.stringify(rest))));
    expect(text(noLevels).title).toBe('The model list is incomplete');
    expect(text(noLevels).hint).toContain('"levels"');
  });

  it('a download cut short, and a file of the wrong size', () => {
    const file = { path: 'levels/s00/encoder.onnx', sha256: 'a'.repeat(64), bytes: 8_942_742 };
    const cut = (() => {
      try {
        checkModelBytes(file, 4_000_000, 'a'.repeat(64), 'http://localhost/models/levels/s00/encoder.onnx');
      } catch (e) {
        return e as RecognizerError;
      }
      throw new Error('no error');
    })();
    expect(text(cut).title).toBe('A model download was cut short');
    expect(text(cut).hint).toContain('Only 44 % of encoder.onnx (8.9 MB) arrived');
    expect(errorText('model-corrupt', 'x: 9000000 bytes, manifest says 8942742').title).toBe('A model file has the wrong size');
  });

  it('keeps the code’s text for anything else (a checksum mismatch, an unknown message)', () => {
    expect(errorText('model-corrupt', 'x: sha256 00 does not match the manifest (11)')).toEqual(errorText('model-corrupt'));
    expect(errorText('model-missing', 'level s00 has no full-context encoder')).toEqual(errorText('model-missing'));
  });
});

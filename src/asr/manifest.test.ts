import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { manifestJson } from '../test-fixtures/manifest-fixture';
import { ManifestError, findLevel, loadManifest, parseManifest, resolveModelUrl } from './manifest';
import { RecognizerError } from './errors';

function fieldOf(mutate: (m: Record<string, any>) => void): string {
  const m = manifestJson() as Record<string, any>;
  mutate(m);
  try {
    parseManifest(m);
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestError);
    return (e as ManifestError).field;
  }
  throw new Error('expected a ManifestError');
}

describe('parseManifest', () => {
  it('accepts a valid manifest', () => {
    const m = parseManifest(manifestJson());
    expect(m.levels.map((l) => l.id)).toEqual(['s0', 's50']);
    expect(m.levels[0]?.state[1]).toEqual({ name: 'step', shape: [1], dtype: 'int64' });
  });

  it('accepts a version 2 manifest (Whisper front end, streaming geometry, quantized levels)', () => {
    const whisper = JSON.parse(readFileSync(fileURLToPath(new URL('../../models/frontend-whisper.json', import.meta.url)), 'utf8'));
    const m = manifestJson() as Record<string, any>;
    m.formatVersion = 2;
    m.frontend = whisper;
    m.padValue = -1;
    m.stream = { chunkMs: 160, rightContextMs: 40, leftContextMs: 2560, positions: { scheme: 'wrap', table: 1500 } };
    m.levels[0].quantization = 'int8';
    const parsed = parseManifest(m);
    expect(parsed.stream?.positions).toEqual({ scheme: 'wrap', table: 1500 });
    expect(parsed.levels[0]?.quantization).toBe('int8');
    expect(parsed.frontend.log).toBe('whisper');
  });

  it('names the bad field', () => {
    expect(fieldOf((m) => delete m.padValue)).toBe('padValue');
    expect(fieldOf((m) => (m.formatVersion = 3))).toBe('formatVersion');
    expect(fieldOf((m) => (m.formatVersion = 2))).toBe('stream'); // version 2 describes its streaming geometry
    expect(fieldOf((m) => (m.padValue = -1))).toBe('padValue'); // not this front end's silence
    expect(fieldOf((m) => (m.levels[1].files.joiner.sha256 = 'xyz'))).toBe('levels[1].files.joiner.sha256');
    expect(fieldOf((m) => (m.levels[0].state[0].dtype = 'float16'))).toBe('levels[0].state[0].dtype');
    expect(fieldOf((m) => (m.levels[0].state[0].shape = [1, -3]))).toBe('levels[0].state[0].shape[1]');
    expect(fieldOf((m) => (m.frontend.center = true))).toBe('frontend.center');
    expect(fieldOf((m) => (m.vocabulary[3] = 7))).toBe('vocabulary[3]');
    expect(fieldOf((m) => (m.defaultLevel = 'nope'))).toBe('defaultLevel');
    expect(fieldOf((m) => (m.chunkInputFrames = 21))).toBe('chunkInputFrames');
    expect(fieldOf((m) => (m.levels[1].id = 's0'))).toBe('levels[1].id');
    expect(fieldOf((m) => (m.levels = []))).toBe('levels');
    expect(fieldOf((m) => (m.levels[0].granularity = 'blocky'))).toBe('levels[0].granularity');
  });

  it('accepts the version 2 (Whisper log-mel) front end and rejects mixtures of the two variants', () => {
    const whisper = JSON.parse(readFileSync(fileURLToPath(new URL('../../models/frontend-whisper.json', import.meta.url)), 'utf8'));
    const withWhisper = (m: Record<string, any>): void => {
      m.frontend = structuredClone(whisper);
      m.padValue = -1;
    };
    const m = manifestJson();
    withWhisper(m);
    expect(parseManifest(m).frontend).toEqual(whisper);
    expect(fieldOf((m) => (withWhisper(m), delete m.frontend.logFloor))).toBe('frontend.logFloor');
    expect(fieldOf((m) => (withWhisper(m), (m.frontend.logFloor = 'low')))).toBe('frontend.logFloor');
    expect(fieldOf((m) => (withWhisper(m), (m.frontend.melScale = 'htk')))).toBe('frontend.melScale');
    expect(fieldOf((m) => (withWhisper(m), (m.frontend.melNorm = null)))).toBe('frontend.melNorm');
    expect(fieldOf((m) => (withWhisper(m), (m.frontend.log = 'log10')))).toBe('frontend.log');
    expect(fieldOf((m) => (m.frontend.logFloor = -8))).toBe('frontend.logFloor'); // version 1 takes none
    expect(fieldOf((m) => (m.frontend.melNorm = 'slaney'))).toBe('frontend.melNorm');
    expect(() => parseManifest({ ...manifestJson(), frontend: { ...whisper, melNorm: null } })).toThrow(
      /"frontend\.melNorm" must be slaney with the whisper log, got null/,
    );
  });

  it('mentions the field in the message and uses the model-corrupt code', () => {
    const m = manifestJson();
    delete m.joinerDim;
    expect(() => parseManifest(m)).toThrow(/"joinerDim"/);
    try {
      parseManifest(m);
    } catch (e) {
      expect((e as RecognizerError).code).toBe('model-corrupt');
    }
  });
});

describe('manifest helpers', () => {
  it('findLevel lists the valid ids for an unknown one', () => {
    const m = parseManifest(manifestJson());
    expect(() => findLevel(m, 's99')).toThrow(/s0, s50/);
  });
  it('resolves file paths against the manifest URL', () => {
    expect(resolveModelUrl('http://x/app/models/manifest.json', 'levels/s0/encoder.onnx')).toBe(
      'http://x/app/models/levels/s0/encoder.onnx',
    );
  });
  it('loadManifest maps 404 to model-missing', async () => {
    const fetch404 = (() => Promise.resolve(new Response('no', { status: 404 }))) as typeof fetch;
    await expect(loadManifest('http://x/models/manifest.json', fetch404)).rejects.toMatchObject({ code: 'model-missing' });
    const fetchOk = (() => Promise.resolve(new Response(JSON.stringify(manifestJson())))) as typeof fetch;
    await expect(loadManifest('http://x/models/manifest.json', fetchOk)).resolves.toMatchObject({ name: 'test' });
  });
});

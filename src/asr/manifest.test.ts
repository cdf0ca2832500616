import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { manifestJson } from '../test-fixtures/manifest-fixture';
import { ManifestError, availableFinalPasses, findLevel, loadManifest, parseManifest, resolveModelUrl } from './manifest';
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
    m.levels[0].blankPenalty = 0.75;
    const parsed = parseManifest(m);
    expect(parsed.stream?.positions).toEqual({ scheme: 'wrap', table: 1500 });
    expect(parsed.levels[0]?.quantization).toBe('int8');
    expect(parsed.levels[0]?.blankPenalty).toBe(0.75);
    expect(parsed.levels[1]?.blankPenalty).toBeUndefined();
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
    expect(fieldOf((m) => (m.levels[0].blankPenalty = -0.5))).toBe('levels[0].blankPenalty');
    expect(fieldOf((m) => (m.levels[0].blankPenalty = 'high'))).toBe('levels[0].blankPenalty');
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

describe('finalPass (the second pass at endpoints, contracts §7)', () => {
  const file = (path: string) => ({ path, sha256: 'B'.repeat(64), bytes: 5 });
  const whisper = () => ({
    cross: file('whisper/cross.onnx'),
    decoder: file('whisper/decoder.onnx'),
    tokens: file('whisper/tokens.json'),
    layers: 4,
    dModel: 384,
    vocabSize: 51864,
    maxTokens: 224,
    quantization: 'int8',
    bytes: { raw: 10, gzip: 8 },
    license: 'MIT (OpenAI Whisper tiny.en)',
    baseTokens: 4,
    tokensPerSecond: 6,
    minAvgLogprob: -0.8,
    minAvgLogprobOneWord: -0.5,
  });
  /** the fixture with encoderFull on every level and a finalPass with Whisper */
  const withFinalPass = (m: Record<string, any>): void => {
    for (const l of m.levels) l.files.encoderFull = file(`levels/${l.id}/encoder_full.onnx`);
    m.finalPass = { maxFrames: 3000, silencePadFrames: 800, whisper: whisper() };
  };
  const parsedWith = (mutate: (m: Record<string, any>) => void) => {
    const m = manifestJson() as Record<string, any>;
    mutate(m);
    return parseManifest(m);
  };

  it('is optional: an older manifest parses and offers only "none"', () => {
    const m = parseManifest(manifestJson());
    expect(m.finalPass).toBeUndefined();
    expect(m.levels[0]?.files.encoderFull).toBeUndefined();
    expect(availableFinalPasses(m)).toEqual(['none']);
  });

  it('parses encoderFull per level and the Whisper files; offers what is there', () => {
    const m = parsedWith(withFinalPass);
    expect(m.levels[1]?.files.encoderFull).toEqual({ path: 'levels/s50/encoder_full.onnx', sha256: 'b'.repeat(64), bytes: 5 });
    expect(m.finalPass).toMatchObject({ maxFrames: 3000, silencePadFrames: 800 });
    expect(m.levels[0]?.bytes.finalPassGzip).toBeUndefined();
    expect(parsedWith((j) => (withFinalPass(j), (j.levels[0].bytes.finalPassGzip = 7))).levels[0]?.bytes.finalPassGzip).toBe(7);
    expect(m.finalPass?.whisper).toMatchObject({ layers: 4, dModel: 384, vocabSize: 51864, maxTokens: 224, quantization: 'int8', baseTokens: 4, tokensPerSecond: 6, minAvgLogprob: -0.8, minAvgLogprobOneWord: -0.5 });
    expect(m.finalPass?.whisper?.tokens.path).toBe('whisper/tokens.json');
    expect(availableFinalPasses(m)).toEqual(['none', 'transducer', 'whisper']);
    const noWhisper = parsedWith((j) => (withFinalPass(j), delete j.finalPass.whisper));
    expect(availableFinalPasses(noWhisper)).toEqual(['none', 'transducer']);
    // per level: a level without its full-context encoder offers no second pass
    const oneLevel = parsedWith((j) => (withFinalPass(j), delete j.levels[1].files.encoderFull));
    expect(availableFinalPasses(oneLevel, 's0')).toEqual(['none', 'transducer', 'whisper']);
    expect(availableFinalPasses(oneLevel, 's50')).toEqual(['none']);
    // finalPass without any encoderFull: nothing to run it on
    expect(availableFinalPasses(parsedWith((j) => (j.finalPass = { maxFrames: 10 })))).toEqual(['none']);
  });

  it('names the bad field', () => {
    const bad = (mutate: (m: Record<string, any>) => void): string => fieldOf((m) => (withFinalPass(m), mutate(m)));
    expect(bad((m) => (m.levels[1].files.encoderFull.sha256 = 'nope'))).toBe('levels[1].files.encoderFull.sha256');
    expect(bad((m) => (m.levels[0].files.encoderFull = 'x.onnx'))).toBe('levels[0].files.encoderFull');
    expect(bad((m) => delete m.finalPass)).toBe('finalPass'); // encoderFull needs the frame limit
    expect(bad((m) => (m.finalPass = []))).toBe('finalPass');
    expect(bad((m) => (m.levels[0].bytes.finalPassGzip = -3))).toBe('levels[0].bytes.finalPassGzip');
    expect(bad((m) => (m.finalPass.maxFrames = 0))).toBe('finalPass.maxFrames');
    expect(bad((m) => (m.finalPass.silencePadFrames = -1))).toBe('finalPass.silencePadFrames');
    expect(bad((m) => (m.finalPass.whisper = 'yes'))).toBe('finalPass.whisper');
    expect(bad((m) => delete m.finalPass.whisper.decoder)).toBe('finalPass.whisper.decoder');
    expect(bad((m) => (m.finalPass.whisper.tokens.bytes = -1))).toBe('finalPass.whisper.tokens.bytes');
    expect(bad((m) => (m.finalPass.whisper.layers = 0))).toBe('finalPass.whisper.layers');
    expect(bad((m) => (m.finalPass.whisper.vocabSize = 1.5))).toBe('finalPass.whisper.vocabSize');
    expect(bad((m) => delete m.finalPass.whisper.maxTokens)).toBe('finalPass.whisper.maxTokens');
    expect(bad((m) => delete m.finalPass.whisper.bytes)).toBe('finalPass.whisper.bytes');
    expect(bad((m) => (m.finalPass.whisper.license = ''))).toBe('finalPass.whisper.license');
    expect(bad((m) => (m.finalPass.whisper.quantization = 8))).toBe('finalPass.whisper.quantization');
    expect(bad((m) => (m.finalPass.whisper.tokensPerSecond = -6))).toBe('finalPass.whisper.tokensPerSecond');
    expect(bad((m) => (m.finalPass.whisper.baseTokens = '4'))).toBe('finalPass.whisper.baseTokens');
    expect(bad((m) => (m.finalPass.whisper.minAvgLogprob = 0.5))).toBe('finalPass.whisper.minAvgLogprob');
    expect(bad((m) => (m.finalPass.whisper.minAvgLogprob = null))).toBe('finalPass.whisper.minAvgLogprob');
    expect(parsedWith((j) => (withFinalPass(j), delete j.finalPass.whisper.minAvgLogprob)).finalPass?.whisper?.minAvgLogprob).toBeUndefined();
    expect(bad((m) => (m.finalPass.whisper.minAvgLogprobOneWord = 0.1))).toBe('finalPass.whisper.minAvgLogprobOneWord');
    expect(parsedWith((j) => (withFinalPass(j), delete j.finalPass.whisper.minAvgLogprobOneWord)).finalPass?.whisper?.minAvgLogprobOneWord).toBeUndefined();
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

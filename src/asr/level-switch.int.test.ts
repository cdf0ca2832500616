// Integration (issue 13, item 5): level switches with state on real exported models through onnxruntime-node. The
// real Recognizer streams a speech-like signal while switching between the densest and the sparsest level back and
// forth (mid-stream, twice in a row, and right before the end of the stream); every encoder output row the decoder
// sees is traced back to the encoder call and the feature frames that produced it, to prove that
//  - no exception or error event occurs (the replay feeds each level only state tensors of its own shapes),
//  - every encoder frame of the stream is decoded exactly once, and never from a replayed chunk,
//  - each switch replays exactly the chunks that end where decoding resumes.
//
// Runs on models/manifest.json, or $OMNISPARSE_SWITCH_MANIFEST (e.g. a formatVersion 2 export, whose K/V caches
// differ in shape between levels); skipped when the manifest or its model files are missing. The replay times are
// printed (the bench measures them properly: `npm run bench`, column "switch ms").

import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createNodeLoader, readManifestFile } from './backend-node';
import type { EncoderModel, LevelModels, ModelLoader } from './engine';
import { testFeatures } from './measure';
import { createRecognizer } from './recognizer';
import { replayFrameCount } from './replay';
import type { LevelInfo, RecognizerEvent } from './types';

const manifestPath = process.env.OMNISPARSE_SWITCH_MANIFEST ?? fileURLToPath(new URL('../../models/manifest.json', import.meta.url));

function skipReason(): string | null {
  if (!existsSync(manifestPath)) return `${manifestPath} missing`;
  const json = JSON.parse(readFileSync(manifestPath, 'utf8')) as { levels?: { files?: Record<string, { path: string }> }[] };
  const missing = (json.levels ?? []).flatMap((l) => Object.values(l.files ?? {})).find((f) => !existsSync(resolve(dirname(manifestPath), f.path)));
  if (missing) return `${missing.path} missing next to ${manifestPath}`;
  return (json.levels ?? []).length < 2 ? `${manifestPath} has a single level: nothing to switch between` : null;
}
const skip = skipReason();

/** Bytes of a float vector as a map key: rows and frames are identified by content. */
const keyOf = (v: Float32Array): string => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

interface EncoderCall {
  level: string;
  /** feature frame index of the chunk window's first frame */
  windowStart: number;
}

/** Wraps a loader so every encoder call and every row given to the joiner is traced back to feature frames. */
function tracingLoader(inner: ModelLoader, frameIndex: Map<string, number>, featureDim: number) {
  const calls: EncoderCall[] = [];
  const rowOwner = new Map<string, { call: number; row: number }>();
  /** per joiner call: the (encoder call, row) of each row it was given */
  const decoded: { call: number; row: number }[][] = [];
  const loader: ModelLoader = {
    backend: inner.backend,
    async load(level: LevelInfo): Promise<LevelModels> {
      const models = await inner.load(level);
      const encoder: EncoderModel = {
        async run(features, states) {
          const out = await models.encoder.run(features, states);
          const call = calls.length;
          calls.push({ level: level.id, windowStart: frameIndex.get(keyOf(features.subarray(0, featureDim))) ?? -1 });
          const J = out.encoderOut.length / out.frames;
          for (let r = 0; r < out.frames; r++) rowOwner.set(keyOf(out.encoderOut.subarray(r * J, (r + 1) * J)), { call, row: r });
          return out;
        },
      };
      const transducer = {
        predictor: (c: Int32Array, n: number) => models.transducer.predictor(c, n),
        joiner(enc: Float32Array, pred: Float32Array, n: number) {
          const J = enc.length / n;
          decoded.push(Array.from({ length: n }, (_, i) => rowOwner.get(keyOf(enc.subarray(i * J, (i + 1) * J))) ?? { call: -1, row: -1 }));
          return models.transducer.joiner(enc, pred, n);
        },
      };
      return { ...models, encoder, transducer };
    },
  };
  return { loader, calls, decoded };
}

describe.skipIf(skip !== null)(`level switch with replay on real models (${skip ?? manifestPath})`, () => {
  it('switching back and forth raises nothing, decodes every frame once and replays the left context', async () => {
    const manifest = await readManifestFile(manifestPath);
    const ids = [manifest.levels[0]!.id, manifest.levels[manifest.levels.length - 1]!.id];
    const frames = testFeatures(manifest.frontend, 6);
    const frameIndex = new Map(frames.map((f, i) => [keyOf(f), i]));
    expect(frameIndex.size).toBe(frames.length); // every frame identifiable by content
    const trace = tracingLoader(createNodeLoader(manifest, manifestPath, { threads: 1 }), frameIndex, manifest.featureDim);
    const events: RecognizerEvent[] = [];
    const r = await createRecognizer({ manifest, loader: trace.loader, level: ids[0], listener: (e) => events.push(e) });
    // switch points (feature frames pushed so far): early (history shorter than the left context), twice in a row,
    // after more than a left context, and with the stream's last frames still buffered
    const plan = [50, 130, 130, 400, 560, frames.length];
    let pos = 0;
    let to = 1;
    for (const at of plan) {
      await r.pushFeatures(frames.slice(pos, at));
      pos = at;
      await r.setLevel(ids[to]!);
      to = 1 - to;
    }
    await r.flush();

    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    const decodedPairs = new Set(trace.decoded.flat().map((d) => `${d.call}:${d.row}`));
    expect(decodedPairs.has('-1:-1')).toBe(false); // every decoded row came from a traced encoder call
    // global encoder frame of a decoded row: its window's first feature frame / subsampling + row
    const encoderFrames = [...decodedPairs].map((p) => {
      const [call, row] = p.split(':').map(Number) as [number, number];
      return trace.calls[call]!.windowStart / manifest.subsampling + row;
    });
    const total = Math.ceil(frames.length / manifest.subsampling);
    expect(encoderFrames.sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, e) => e));

    // the replayed calls are exactly the ones not decoded, and each switch's replay ends where decoding resumed
    const decodedCalls = new Set([...decodedPairs].map((p) => Number(p.split(':')[0])));
    const switches = events.flatMap((e) => (e.type === 'level' && e.replayFrames !== undefined ? [e] : []));
    expect(switches).toHaveLength(plan.length);
    const replayed = trace.calls.filter((_, i) => !decodedCalls.has(i));
    const seg = manifest.segmentFrames;
    expect(replayed.length).toBe(switches.reduce((a, s) => a + (s.replayFrames ?? 0) / seg, 0));
    expect(switches.every((s) => (s.replayFrames ?? 0) <= replayFrameCount(manifest))).toBe(true);
    // by the 4th switch (400 frames pushed) more than a left context was consumed in either model family
    expect(switches[3]?.replayFrames).toBe(replayFrameCount(manifest));
    let call = 0;
    for (const s of switches) {
      // this switch's replay: the next run of undecoded calls, on the new level, on consecutive chunk windows that
      // end exactly where the next decoded chunk (on whichever level) starts
      while (call < trace.calls.length && decodedCalls.has(call)) call++;
      const chunks = (s.replayFrames ?? 0) / seg;
      const run = trace.calls.slice(call, call + chunks);
      expect(run.every((c, i) => c.level === s.level && !decodedCalls.has(call + i))).toBe(true);
      const resume = trace.calls.find((_, i) => i >= call + chunks && decodedCalls.has(i));
      if (resume && chunks > 0) expect(run.map((c) => c.windowStart)).toEqual(run.map((_, i) => resume.windowStart - (chunks - i) * seg));
      call += chunks;
    }
    console.log(
      `[level-switch] ${manifest.name} (v${manifest.formatVersion}), replay window ${replayFrameCount(manifest)} frames: ` +
        switches.map((s) => `${s.level} ${s.replayFrames}f ${s.replayMs?.toFixed(1)} ms (switch ${s.loadMs.toFixed(1)} ms)`).join(', '),
    );
    await r.dispose();
  });

  it('a storm of 100 switches across every level during speech: no error, no frame lost or repeated, no finalized text lost, every session released', async () => {
    const manifest = await readManifestFile(manifestPath);
    const ids = manifest.levels.map((l) => l.id);
    const frames = testFeatures(manifest.frontend, 12);
    const frameIndex = new Map(frames.map((f, i) => [keyOf(f), i]));
    const trace = tracingLoader(createNodeLoader(manifest, manifestPath, { threads: 1 }), frameIndex, manifest.featureDim);
    // level models opened and released: each LevelModels holds the level's onnxruntime sessions
    const opened: string[] = [];
    let released = 0;
    const counting: ModelLoader = {
      backend: trace.loader.backend,
      async load(level) {
        const models = await trace.loader.load(level);
        opened.push(level.id);
        return { ...models, dispose: async () => { released++; await models.dispose(); } };
      },
    };
    const events: RecognizerEvent[] = [];
    const r = await createRecognizer({ manifest, loader: counting, level: ids[0], listener: (e) => events.push(e) });
    // a fixed walk that visits every level in jumps of more than one size, a switch every 12 feature frames (less
    // than one chunk): slider drags and the auto level at their worst. Each block of ids.length switches steps by
    // `jump` (coprime with the level count, so the block visits every level) and the next block starts one further
    // on; a jump of 5 over 8 levels was fine, over 9 levels the old walk (i * 5 + i / 7) missed two of them
    const SWITCHES = 100;
    const step = Math.floor(frames.length / SWITCHES);
    const n = ids.length;
    const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
    const jump = [5, 4, 3, 2, 1].find((j) => gcd(j, n) === 1 && (n < 3 || (j + 1) % n !== 0)) ?? 1;
    const target = (i: number): string => ids[(i * jump + Math.floor(i / n)) % n]!;
    for (let i = 0; i < SWITCHES; i++) {
      await r.pushFeatures(frames.slice(i * step, (i + 1) * step));
      await r.setLevel(target(i));
    }
    await r.pushFeatures(frames.slice(SWITCHES * step));
    await r.flush();

    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    const decodedPairs = new Set(trace.decoded.flat().map((d) => `${d.call}:${d.row}`));
    expect(decodedPairs.has('-1:-1')).toBe(false);
    const encoderFrames = [...decodedPairs].map((p) => {
      const [call, row] = p.split(':').map(Number) as [number, number];
      return trace.calls[call]!.windowStart / manifest.subsampling + row;
    });
    const total = Math.ceil(frames.length / manifest.subsampling);
    expect(encoderFrames.sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, e) => e));
    // every partial shown is finalized: the last partial before each final (and before the end) ends up in a final
    let pending = '';
    const finals: string[] = [];
    for (const e of events) {
      if (e.type === 'partial') pending = e.text;
      if (e.type === 'final') {
        expect(e.text.startsWith(pending) || pending === '').toBe(true);
        finals.push(e.text);
        pending = '';
      }
    }
    expect(pending).toBe('');
    // each level loaded once however often it was chosen; all of them released with the recognizer
    expect(new Set(opened).size).toBe(opened.length);
    expect(opened.length).toBeLessThanOrEqual(ids.length);
    const switched = events.filter((e) => e.type === 'level').length;
    expect(switched).toBeGreaterThanOrEqual(90);
    expect(opened.length).toBe(Math.min(ids.length, SWITCHES));
    await r.dispose();
    expect(released).toBe(opened.length);
    console.log(
      `[level-switch storm] ${manifest.name}: ${SWITCHES} setLevel calls (${switched} switches), ${opened.length} levels opened and ` +
        `released, ${finals.length} finals, ${total} encoder frames each decoded once`,
    );
  });
});

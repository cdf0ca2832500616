// Integration (issue "Accurate finals"): the second pass on the exported models through onnxruntime-node, the path the
// CLI takes. A recording with a known transcript goes through the Recognizer once per final pass; the Whisper final
// must be plausible: closer to the transcript (CER, after normalizeWhisperText) than the streaming partial it
// replaced. Then the CLI on real human speech (Free Spoken Digit Dataset recordings, /work/shared/data/fsdd).
//
// Recordings: the streaming golden's 2.5 s of espeak-ng speech with its text (training/tests/golden/stream_golden.json,
// any export: only its audio and text are used), and three FSDD digits joined with pauses. Runs on
// models/manifest.json (or $OMNISPARSE_FINAL_PASS_MANIFEST); skipped, not failed, while the manifest has no
// finalPass or its files are missing (the export that adds them is separate from the app).

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type FileResult } from '../cli/transcribe';
import { encodeWav, parseWav } from '../audio/wav';
import { createNodeLoader, readManifestFile } from './backend-node';
import { availableFinalPasses } from './manifest';
import { createRecognizer, type Recognizer } from './recognizer';
import type { FinalPassKind, Manifest, RecognizerEvent } from './types';
import { normalizeWhisperText } from './whisper-tokens';
import { editDistance } from '../test-fixtures/edit-distance';

const repo = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const manifestPath = process.env.OMNISPARSE_FINAL_PASS_MANIFEST ?? repo('models/manifest.json');
const goldenPath = repo('training/tests/golden/stream_golden.json');
const fsddDir = resolve(repo(''), '../shared/data/fsdd/recordings');

const manifest: Manifest | null = existsSync(manifestPath) ? await readManifestFile(manifestPath).catch(() => null) : null;

/** Why the second pass cannot be run on this manifest, or null. */
function skipReason(): string | null {
  if (!manifest) return `${manifestPath} missing or unreadable`;
  if (!manifest.finalPass) return `${manifestPath} has no finalPass`;
  const level = manifest.levels.find((l) => l.id === manifest.defaultLevel);
  const whisper = manifest.finalPass.whisper;
  const files = [level?.files.encoderFull, whisper?.cross, whisper?.decoder, whisper?.tokens];
  if (files.some((f) => !f)) return `${manifestPath} lacks encoderFull on ${manifest.defaultLevel} or finalPass.whisper`;
  const missing = files.find((f) => f && !existsSync(resolve(dirname(manifestPath), f.path)));
  if (missing) return `${missing.path} missing next to ${manifestPath}`;
  if (!existsSync(goldenPath)) return `${goldenPath} missing`;
  return null;
}
const reason = skipReason();
if (reason) console.warn(`final-pass integration: skipped: ${reason}`);


const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
/** Normalised for comparison with a reference in the transducer's characters; single digits read as words. */
const comparable = (text: string): string =>
  normalizeWhisperText(text)
    .replace(/\d/g, (d) => ` ${DIGITS[Number(d)]} `)
    .replace(/ +/g, ' ')
    .trim();
const cer = (hyp: string, ref: string): number => editDistance(comparable(hyp), ref) / Math.max(1, ref.length);

interface Run {
  finals: Extract<RecognizerEvent, { type: 'final' }>[];
  errors: RecognizerEvent[];
}

async function transcribe(rec: Recognizer, audio: Float32Array): Promise<Run> {
  const run: Run = { finals: [], errors: [] };
  const off = rec.on((e) => {
    if (e.type === 'final') run.finals.push(e);
    if (e.type === 'error') run.errors.push(e);
  });
  for (let i = 0; i < audio.length; i += 16000) await rec.pushAudio16k(audio.subarray(i, i + 16000));
  await rec.flush();
  off();
  return run;
}

describe.skipIf(reason !== null)('the second pass on the exported models', () => {
  const m = manifest as Manifest;
  const golden = reason ? null : (JSON.parse(readFileSync(goldenPath, 'utf8')) as { audio: number[]; text: string });
  const audio = Float32Array.from(golden?.audio ?? []);
  const reference = golden?.text ?? '';
  let rec: Recognizer;

  beforeAll(async () => {
    // Without the confidence bound: this test is about the passes' mechanics, and on the golden clip (cut
    // mid-sentence) Whisper's line is unsure enough that the shipped bound keeps the streaming text. The bound's
    // effect is measured by training/omnisparse/final_eval.py ('final' column) and unit-tested in final-pass.test.ts.
    const fp = m.finalPass;
    const unbounded: Manifest = fp?.whisper ? { ...m, finalPass: { ...fp, whisper: { ...fp.whisper, minAvgLogprob: undefined } } } : m;
    rec = await createRecognizer({ manifest: unbounded, loader: createNodeLoader(m, manifestPath, { threads: 1 }) });
  });
  afterAll(() => rec?.dispose());

  it('the default level offers every pass', () => {
    expect(availableFinalPasses(m, m.defaultLevel)).toEqual(['none', 'transducer', 'whisper']);
  });

  it('each pass turns the recording into finals; Whisper\'s is closer to the transcript than the streaming text', async () => {
    const results: Partial<Record<FinalPassKind, Run>> = {};
    for (const pass of ['none', 'transducer', 'whisper'] as const) {
      await rec.setFinalPass(pass);
      results[pass] = await transcribe(rec, audio);
    }
    const text = (r: Run | undefined): string => (r?.finals ?? []).map((f) => f.text).join(' ');
    const streamText = (r: Run | undefined): string => (r?.finals ?? []).map((f) => f.streamText ?? '').join(' ');
    for (const [pass, r] of Object.entries(results)) {
      console.info(
        `final-pass ${pass}: "${text(r)}" (stream "${streamText(r)}") CER ${cer(text(r), reference).toFixed(3)}, ` +
          `latency ${(r?.finals ?? []).map((f) => Math.round(f.finalLatencyMs ?? -1)).join('/')} ms`,
      );
    }
    const none = results.none as Run;
    const whisper = results.whisper as Run;
    const transducer = results.transducer as Run;
    expect([none, transducer, whisper].flatMap((r) => r.errors)).toEqual([]);
    expect(none.finals.length).toBeGreaterThan(0);
    expect(none.finals.every((f) => f.pass === 'stream' && f.streamText === f.text)).toBe(true);
    // the streaming pass is deterministic: the same partials whatever replaces them
    expect(streamText(whisper)).toBe(text(none));
    expect(streamText(transducer)).toBe(text(none));
    expect(transducer.finals.every((f) => f.pass === 'transducer' || f.pass === 'stream')).toBe(true);
    expect(whisper.finals.some((f) => f.pass === 'whisper')).toBe(true);
    expect(whisper.finals.flatMap((f) => (f.pass === 'whisper' ? f.words : [])).every((w) => w.approximate === true)).toBe(true);
    // The golden clip is 2.5 s cut mid-sentence: Whisper's line can only tie the streaming text on it (v2.2: both
    // 0.257, "Please call Stettler ask for the ring." vs "pleas colstelask ther to ring"). The strict comparison on
    // whole sentences is e2e/final-pass.spec.ts (0.011 vs 0.34).
    expect(cer(text(whisper), reference)).toBeLessThanOrEqual(cer(text(none), reference));
    expect(cer(text(whisper), reference)).toBeLessThan(0.35);
    await rec.setFinalPass('none');
  });

  it.skipIf(!existsSync(fsddDir))('the CLI with --final-pass whisper on real speech (FSDD digits)', async () => {
    const takes = ['7_jackson_0', '3_george_1', '9_nicolas_2'];
    const reference = 'seven three nine';
    const parts = takes.map((n) => parseWav(readFileSync(join(fsddDir, `${n}.wav`))));
    const rate = parts[0]?.sampleRate ?? 8000;
    const pause = new Float32Array(rate); // 1 s: an endpoint after every digit
    const joined = [pause, ...parts.flatMap((p) => [p.channels[0] as Float32Array, pause])];
    const samples = new Float32Array(joined.reduce((n, c) => n + c.length, 0));
    joined.reduce((at, c) => (samples.set(c, at), at + c.length), 0);
    const file = join(mkdtempSync(join(tmpdir(), 'omnisparse-fsdd-')), 'digits.wav');
    writeFileSync(file, encodeWav([samples], rate, 16));
    const results: Record<string, FileResult> = {};
    for (const pass of ['none', 'whisper'] as const) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli([file, '--json', '--final-pass', pass, '--manifest', manifestPath], { out: (l) => out.push(l), err: (l) => err.push(l) });
      expect(code, err.join('\n')).toBe(0);
      results[pass] = JSON.parse(out[0] ?? '{}') as FileResult;
    }
    const none = results.none as FileResult;
    const whisper = results.whisper as FileResult;
    console.info(`final-pass FSDD: stream "${none.text}" CER ${cer(none.text, reference).toFixed(3)}; whisper "${whisper.text}" CER ${cer(whisper.text, reference).toFixed(3)}`);
    expect(whisper).toMatchObject({ finalPass: 'whisper', streamText: none.text, warnings: [] });
    expect(cer(whisper.text, reference)).toBeLessThanOrEqual(cer(none.text, reference));
  });
});

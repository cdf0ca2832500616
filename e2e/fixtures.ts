// Shared e2e constants: where the synthesized clips live, what they say, and the Chromium flags per scenario.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Outside test-results/ because Playwright empties that folder after global setup has run. */
export const E2E_DIR = process.env.OMNISPARSE_E2E_DIR ?? '/tmp/omnisparse-e2e';
export const CHROMIUM = '/usr/bin/chromium';

export interface ClipSpec {
  name: string;
  /** sentences spoken by flite's held-out `slt` voice, separated by `gapSeconds` of digital silence */
  sentences: string[];
  leadSeconds: number;
  gapSeconds: number;
  tailSeconds: number;
}

export const CLIPS = {
  dictation: {
    name: 'dictation',
    sentences: ['please call stella and ask her to bring these things with her from the store'],
    leadSeconds: 0.5,
    gapSeconds: 0,
    tailSeconds: 2.5,
  },
  twoPart: {
    name: 'two-part',
    sentences: ['the quick brown fox jumps over the lazy dog', 'she sells sea shells by the sea shore every summer'],
    leadSeconds: 0.5,
    gapSeconds: 2.0,
    tailSeconds: 3.0,
  },
} as const satisfies Record<string, ClipSpec>;

export function clipPath(clip: ClipSpec): string {
  return join(E2E_DIR, `${clip.name}.wav`);
}

export interface Reference {
  file: string;
  level: string;
  text: string;
  audioSeconds: number;
  /** [start, end] seconds of each spoken sentence in the clip */
  speech: [number, number][];
  /** CLI transcripts of the clip delayed by each of GRID_SHIFTS_MS (leading silence): the mic lands anywhere */
  shiftedTexts: string[];
}

/** Delays covering one 160 ms encoder segment in 10 ms (one feature hop) steps. */
export const GRID_SHIFTS_MS = Array.from({ length: 16 }, (_, i) => 10 * i);

export function shiftedClipPath(clip: ClipSpec, ms: number): string {
  return join(E2E_DIR, 'shifted', `${clip.name}.${ms}ms.wav`);
}

/** Reference transcripts written by global-setup from the Node CLI (same models, onnxruntime-node). */
export function readReferences(): Record<string, Reference> {
  return JSON.parse(readFileSync(join(E2E_DIR, 'reference.json'), 'utf8')) as Record<string, Reference>;
}

const BASE_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumArgs(opts: { webgpu?: boolean; micFile?: string; grantMic?: boolean } = {}): string[] {
  const args = [...BASE_ARGS, ...(opts.webgpu ? ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'] : ['--disable-gpu'])];
  if (opts.micFile !== undefined || opts.grantMic === false) args.push('--use-fake-device-for-media-stream');
  // Without the fake UI flag, headless Chromium dismisses the permission prompt: that is how "mic denied" is made.
  if (opts.grantMic !== false) args.push('--use-fake-ui-for-media-stream');
  if (opts.micFile !== undefined) args.push(`--use-file-for-fake-audio-capture=${opts.micFile}%noloop`);
  return args;
}

// `npm run bench:frontend`: cost of the JavaScript front end per 160 ms block (what the capture path does for every
// worklet block): resampling from common device rates to 16 kHz, then log-mel, timed separately, for both front-end
// spec variants (version 1: models/frontend.json, radix-2 FFT of 512; version 2, Whisper: models/frontend-whisper.json,
// mixed-radix FFT of 400). Steady state: the first pass warms the JIT and is discarded.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LogMelFrontend } from '../src/audio/frontend';
import { StreamingResampler } from '../src/audio/resampler';
import type { FrontendSpec } from '../src/asr/types';

const ROOT = resolve(import.meta.dirname, '..');
const readSpec = (file: string): FrontendSpec => JSON.parse(readFileSync(resolve(ROOT, 'models', file), 'utf8')) as FrontendSpec;
const SPECS = [readSpec('frontend.json'), readSpec('frontend-whisper.json')];
const SECONDS = 20;
const BLOCK_S = 0.16;

/** Deterministic speech-like test signal: two drifting harmonics plus a little LCG noise. */
function signal(rate: number): Float32Array {
  let seed = 12345;
  const x = new Float32Array(Math.round(rate * SECONDS));
  for (let i = 0; i < x.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const t = i / rate;
    x[i] = 0.2 * Math.sin(2 * Math.PI * (150 + 20 * t) * t) + 0.05 * Math.sin(2 * Math.PI * 2300 * t) + 0.01 * (seed / 2 ** 32 - 0.5);
  }
  return x;
}

console.log('| spec | input rate | resampler ms / block | log-mel ms / block | total | share of a 160 ms block |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const spec of SPECS) {
  for (const rate of [16000, 44100, 48000]) {
    const x = signal(rate);
    const block = Math.round(rate * BLOCK_S);
    let result = { resample: 0, logmel: 0 };
    for (let pass = 0; pass < 2; pass++) {
      const resampler = new StreamingResampler(rate, spec.sampleRate);
      const frontend = new LogMelFrontend(spec);
      let tResample = 0;
      let tLogmel = 0;
      let blocks = 0;
      for (let pos = 0; pos < x.length; pos += block) {
        const t0 = performance.now();
        const y = resampler.push(x.subarray(pos, pos + block));
        const t1 = performance.now();
        frontend.push(y);
        tLogmel += performance.now() - t1;
        tResample += t1 - t0;
        blocks++;
      }
      result = { resample: tResample / blocks, logmel: tLogmel / blocks };
    }
    const total = result.resample + result.logmel;
    const name = `v${spec.version} ${spec.log} nFft ${spec.nFft}`;
    console.log(`| ${name} | ${rate} | ${result.resample.toFixed(3)} | ${result.logmel.toFixed(3)} | ${total.toFixed(3)} | ${((100 * total) / (BLOCK_S * 1000)).toFixed(2)} % |`);
  }
}

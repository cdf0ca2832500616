import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FrontendSpec } from '../asr/types';
import { computeFeatures } from './frontend';
import { FeaturePipeline, packFrames, unpackFrames } from './pipeline';
import { resample } from './resampler';

const spec = JSON.parse(readFileSync(fileURLToPath(new URL('../../models/frontend.json', import.meta.url)), 'utf8')) as FrontendSpec;

describe('FeaturePipeline', () => {
  it('equals resample-then-frontend, whatever the block size', () => {
    const x = Float32Array.from({ length: 48000 }, (_, i) => 0.3 * Math.sin(i * 0.03) + 0.05 * Math.sin(i * 0.9));
    const want = computeFeatures(spec, resample(x, 48000, 16000));
    const p = new FeaturePipeline(48000, spec);
    const got: Float32Array[] = [];
    for (let pos = 0; pos < x.length; pos += 4096) got.push(...p.pushChannels([x.subarray(pos, pos + 4096), x.subarray(pos, pos + 4096)]));
    got.push(...p.flush());
    expect(got.length).toBe(want.length);
    got.forEach((f, i) => expect(Array.from(f)).toEqual(Array.from(want[i] ?? [])));
  });
  it('packs and unpacks frames', () => {
    const frames = [Float32Array.from([1, 2]), Float32Array.from([3, 4])];
    expect(unpackFrames(packFrames(frames, 2), 2).map((f) => Array.from(f))).toEqual([[1, 2], [3, 4]]);
  });
});

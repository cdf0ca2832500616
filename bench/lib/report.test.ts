import { describe, expect, it } from 'vitest';
import { formatTable, ratioLine, ratios, type LevelResult } from './report';

const level = (id: string, sparsity: number, p50: number, rtf: number): LevelResult => ({
  id,
  sparsity,
  chunkMsP50: p50,
  chunkMsP95: p50,
  rtf,
  loadMs: 1,
  bytes: 1,
  peakRssMb: 1,
  rssBeforeLoadMb: 1,
  frontendMsPerChunk: 0,
  breakdown: { encoderMsPerChunk: 0, predictorMsPerChunk: 0, joinerMsPerChunk: 0, otherMsPerChunk: 0, joinerCallsPerChunk: 0, predictorCallsPerChunk: 0, emissionsPerChunk: 0 },
  chunksPerRun: 1,
  tokensPerRun: 0,
});

describe('ratios', () => {
  it('compares the least and the most sparse level whatever the order', () => {
    const r = ratios([level('s90', 0.9, 2, 0.01), level('s00', 0, 9, 0.05), level('s50', 0.5, 5, 0.03)]);
    expect(r).toEqual({ denseId: 's00', sparsestId: 's90', denseOverSparsest: 4.5, denseRtf: 0.05 });
    expect(ratioLine(r, 0.03)).toMatch(/4\.50x \(target >= 4x: met\).*NOT met/);
    expect(ratios([])).toBeNull();
  });
});

describe('formatTable', () => {
  it('right-aligns columns to the widest cell', () => {
    expect(formatTable(['a', 'bb'], [['123', '4']])).toBe('  a  bb\n---  --\n123   4');
  });
});

import { describe, expect, it } from 'vitest';
import {
  AUTO_RTF_BUDGET,
  DEFAULT_AUTO_CONFIG,
  describeAuto,
  describeMove,
  initialAutoIndex,
  initialAutoState,
  observeChunk,
  predictRtf,
  type AutoMove,
} from './autoLevel';

const CHUNK_MS = 160;

/**
 * Streams `seconds` of audio through the state machine on a simulated device whose true RTF for level i at audio
 * time t (ms) is device(i, t). Returns the level index per chunk and the moves taken.
 */
function simulate(start: number, costs: number[], seconds: number, device: (level: number, tMs: number) => number) {
  let state = initialAutoState(start);
  const moves: (AutoMove & { atMs: number })[] = [];
  const trace: number[] = [];
  for (let t = 0; t < seconds * 1000; t += CHUNK_MS) {
    const r = observeChunk(state, { computeMs: device(state.index, t) * CHUNK_MS, audioMs: CHUNK_MS }, costs);
    state = r.state;
    if (r.move) moves.push({ ...r.move, atMs: t });
    trace.push(state.index);
  }
  return { state, moves, trace };
}

/** Levels dense → sparse, each half the compute of the previous; the manifest's estimate is exact. */
const COSTS = [8, 4, 2, 1];
const scaled = (denseRtf: number) => (level: number) => (denseRtf * COSTS[level]!) / COSTS[0]!;

describe('auto level', () => {
  it('keeps the budget a documented constant', () => {
    expect(AUTO_RTF_BUDGET).toBe(0.5);
    expect(DEFAULT_AUTO_CONFIG.budget).toBe(AUTO_RTF_BUDGET);
  });

  it('on a slow device steps down to the densest level under budget, then stays', () => {
    // true RTFs 1.6, 0.8, 0.4, 0.2: s2 is the densest level under 0.5
    const { moves, trace, state } = simulate(0, COSTS, 60, scaled(1.6));
    expect(moves.map((m) => [m.from, m.to])).toEqual([[0, 2]]);
    // decided as soon as there is enough evidence, not on the first chunk
    expect(moves[0]!.atMs).toBeGreaterThanOrEqual(DEFAULT_AUTO_CONFIG.minEvidenceMs - CHUNK_MS);
    expect(moves[0]!.atMs).toBeLessThan(DEFAULT_AUTO_CONFIG.minEvidenceMs + CHUNK_MS);
    expect(state.index).toBe(2);
    expect(trace.at(-1)).toBe(2);
  });

  it('without a compute estimate assumes 2x per level, and a further step corrects a wrong guess', () => {
    // true cost ratio is only 1.5x per level: RTFs 1.2, 0.8, 0.53, 0.36
    const { moves, state } = simulate(0, [0, 0, 0, 0], 60, (level) => 1.2 / 1.5 ** level);
    expect(moves.map((m) => [m.from, m.to])).toEqual([[0, 2], [2, 3]]);
    expect(state.index).toBe(3);
  });

  it('steps back up once the device recovers, only after the hold time', () => {
    // busy (dense RTF 1.6) for the first 30 s, then idle (dense RTF 0.2)
    const device = (level: number, t: number) => scaled(t < 30_000 ? 1.6 : 0.2)(level);
    const { moves, state } = simulate(0, COSTS, 120, device);
    expect(moves[0]).toMatchObject({ from: 0, to: 2 });
    const ups = moves.filter((m) => m.to < m.from);
    expect(ups.map((m) => [m.from, m.to])).toEqual([[2, 1], [1, 0]]);
    // the first step up waits for the hold time after the recovery at 30 s (evidence window + hold)
    expect(ups[0]!.atMs).toBeGreaterThanOrEqual(30_000 + DEFAULT_AUTO_CONFIG.holdMs - CHUNK_MS);
    expect(ups[1]!.atMs - ups[0]!.atMs).toBeGreaterThanOrEqual(DEFAULT_AUTO_CONFIG.holdMs);
    expect(state.index).toBe(0);
  });

  it('does not oscillate when the estimate is optimistic: failed probes back off exponentially', () => {
    // The manifest claims s0 costs only 1.2x s1, really it costs 2x: from s1 (RTF 0.3) s0 looks like 0.36, is 0.6.
    const { moves } = simulate(1, [1.2, 1], 600, (level) => (level === 0 ? 0.6 : 0.3));
    const ups = moves.filter((m) => m.to < m.from);
    expect(ups.length).toBeGreaterThan(1); // it does keep probing, in case the device got faster...
    expect(ups.length).toBeLessThanOrEqual(6); // ...but rarely: 10, 20, 40, 80, 160, 160 s of hold
    const gaps = ups.slice(1).map((u, i) => u.atMs - ups[i]!.atMs);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]! - CHUNK_MS);
    // every probe is undone within the evidence window, never lingering over budget
    for (const u of ups) {
      const down = moves.find((m) => m.atMs > u.atMs)!;
      expect(down.atMs - u.atMs).toBeLessThanOrEqual(DEFAULT_AUTO_CONFIG.minEvidenceMs + CHUNK_MS);
    }
  });

  it('holds steady under jitter between the two thresholds', () => {
    let seed = 3;
    const jitter = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 0.18; // [0, 0.18)
    // s1 fluctuates in [0.3, 0.48]: under budget, but s0 would be ~2x, no headroom
    const { moves } = simulate(1, COSTS, 300, (level) => (level === 1 ? 0.3 + jitter() : 1));
    expect(moves).toEqual([]);
  });

  it('ignores a single slow chunk (GC pause) that does not push the window over budget', () => {
    const { moves } = simulate(1, COSTS, 30, (level, t) => (t === 4000 ? 6 : level === 1 ? 0.25 : 0.5));
    expect(moves).toEqual([]);
  });

  it('never goes beyond the ends', () => {
    expect(simulate(3, COSTS, 60, () => 3).moves).toEqual([]); // sparsest and still too slow: stays
    expect(simulate(0, COSTS, 60, () => 0.01).moves).toEqual([]); // densest and very fast: stays
    const { trace } = simulate(1, COSTS, 120, (_l, t) => (t < 60_000 ? 5 : 0.001));
    expect(Math.min(...trace)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...trace)).toBeLessThanOrEqual(3);
  });
});

describe('predictRtf', () => {
  it('scales by the compute estimate, or assumes 2x per level without one', () => {
    expect(predictRtf(0.2, 2, 0, COSTS)).toBeCloseTo(0.8);
    expect(predictRtf(0.8, 0, 3, COSTS)).toBeCloseTo(0.1);
    expect(predictRtf(0.2, 2, 1, [0, 0, 0])).toBeCloseTo(0.4);
  });
});

describe('initialAutoIndex', () => {
  const ids = ['s0', 's50', 's90'];
  it('starts at the densest measured level under budget', () => {
    expect(initialAutoIndex(ids, new Map([['s0', 0.7], ['s50', 0.3], ['s90', 0.1]]), 2)).toBe(1);
    expect(initialAutoIndex(ids, new Map([['s0', 0.2], ['s50', 0.1]]), 2)).toBe(0);
  });
  it('falls back to the sparsest measured level, or the current one without measurements', () => {
    expect(initialAutoIndex(ids, new Map([['s0', 3], ['s50', 2]]), 0)).toBe(1);
    expect(initialAutoIndex(ids, new Map(), 1)).toBe(1);
    expect(initialAutoIndex(ids, new Map([['s0', Number.NaN]]), 2)).toBe(2);
  });
});

describe('describeAuto / describeMove', () => {
  it('explains the choice once there is evidence', () => {
    let s = initialAutoState(1);
    expect(describeAuto(s, 's50')).toBe('auto: s50 — measuring RTF (budget 0.5)');
    for (let i = 0; i < 40; i++) s = observeChunk(s, { computeMs: 0.41 * CHUNK_MS, audioMs: CHUNK_MS }, [2, 2, 1]).state;
    expect(describeAuto(s, 's50')).toBe('auto: s50 — RTF 0.41 over last 5 s');
  });
  it('says why it moved', () => {
    expect(describeMove({ from: 0, to: 2, rtf: 0.73, predictedRtf: 0.2 }, ['a', 'b', 'c'])).toBe('a → c: RTF 0.73 exceeded the budget 0.5');
    expect(describeMove({ from: 1, to: 0, rtf: 0.1, predictedRtf: 0.3 }, ['a', 'b'])).toBe('b → a: predicted RTF 0.30 left headroom under 0.5');
  });
});

// The "auto" sparsity level: a pure state machine fed with the recognizer's per-chunk costs. It keeps the DENSEST
// level whose real-time factor stays under a budget on this device: steps sparser as soon as the windowed RTF
// exceeds the budget, steps denser only after a sustained stretch of clear headroom (hysteresis), and doubles that
// waiting time whenever a step up had to be undone, so a device sitting on the boundary cannot oscillate.
// Time is measured in audio milliseconds (not wall time), which makes it deterministic and testable.

/**
 * Compute at half of real time. RTF 1 is the hard limit (beyond it the backlog and the latency grow without bound),
 * but a live tab also runs the audio thread, the UI, GC pauses and other tabs, and per-chunk costs vary with how
 * much the model emits: a 2x margin absorbs those bursts without letting the transcript fall behind.
 */
export const AUTO_RTF_BUDGET = 0.5;

export interface AutoConfig {
  budget: number;
  /** sliding window the RTF is computed over */
  windowMs: number;
  /** no decision on less audio than this from the current level (a single slow chunk must not trigger a switch) */
  minEvidenceMs: number;
  /** step up only if the denser level's predicted RTF is below budget * upMargin */
  upMargin: number;
  /** how long the headroom must last before stepping up; doubled after every step up that was undone */
  holdMs: number;
  maxHoldMs: number;
}

export const DEFAULT_AUTO_CONFIG: AutoConfig = {
  budget: AUTO_RTF_BUDGET,
  windowMs: 5000,
  minEvidenceMs: 2000,
  upMargin: 0.8,
  holdMs: 10_000,
  maxHoldMs: 160_000,
};

export interface ChunkCost {
  computeMs: number;
  audioMs: number;
}

export interface AutoState {
  /** index into the manifest's levels (0 = densest) */
  index: number;
  window: ChunkCost[];
  /** audio ms for which the headroom to step up has lasted without interruption */
  comfortableMs: number;
  holdMs: number;
  lastMove: 'up' | 'down' | null;
}

export interface AutoMove {
  from: number;
  to: number;
  /** the windowed RTF that triggered it, and the RTF predicted for the target */
  rtf: number;
  predictedRtf: number;
}

export function initialAutoState(index: number, cfg: AutoConfig = DEFAULT_AUTO_CONFIG): AutoState {
  return { index, window: [], comfortableMs: 0, holdMs: cfg.holdMs, lastMove: null };
}

export function windowAudioMs(s: AutoState): number {
  return s.window.reduce((a, c) => a + c.audioMs, 0);
}

/** Compute over audio in the window; null before any audio. */
export function windowRtf(s: AutoState): number | null {
  const audio = windowAudioMs(s);
  return audio > 0 ? s.window.reduce((a, c) => a + c.computeMs, 0) / audio : null;
}

/**
 * Expected RTF of level `to` given level `from` runs at `rtf`, scaled by the manifest's compute estimate
 * (flopsPerSecond). Without a usable estimate each step is assumed to halve (sparser) or double (denser) the cost.
 */
export function predictRtf(rtf: number, from: number, to: number, costs: readonly number[]): number {
  const a = costs[from] ?? 0;
  const b = costs[to] ?? 0;
  return a > 0 && b > 0 ? (rtf * b) / a : rtf * 2 ** (from - to);
}

/** Densest level at or below `from + 1` (sparser) predicted to meet the budget; the sparsest level if none does. */
function stepDownTarget(rtf: number, from: number, costs: readonly number[], count: number, budget: number): number {
  let to = from + 1;
  while (to < count - 1 && predictRtf(rtf, from, to, costs) > budget) to++;
  return to;
}

/**
 * Folds one chunk of the current level into the state. `costs` holds a compute estimate per level (dense first),
 * its length is the number of levels. Returns the new state and, when the level should change, the move (the
 * caller switches levels and reports the new level's chunks from then on).
 */
export function observeChunk(
  state: AutoState,
  chunk: ChunkCost,
  costs: readonly number[],
  cfg: AutoConfig = DEFAULT_AUTO_CONFIG,
): { state: AutoState; move: AutoMove | null } {
  const window = [...state.window, chunk];
  let audio = window.reduce((a, c) => a + c.audioMs, 0);
  while (window.length > 1 && audio - window[0]!.audioMs >= cfg.windowMs) audio -= window.shift()!.audioMs;
  const next: AutoState = { ...state, window };
  const rtf = windowRtf(next);
  if (rtf === null || audio < cfg.minEvidenceMs) return { state: next, move: null };

  const i = state.index;
  const last = costs.length - 1;
  if (rtf > cfg.budget && i < last) {
    const to = stepDownTarget(rtf, i, costs, costs.length, cfg.budget);
    const holdMs = state.lastMove === 'up' ? Math.min(state.holdMs * 2, cfg.maxHoldMs) : state.holdMs;
    const move = { from: i, to, rtf, predictedRtf: predictRtf(rtf, i, to, costs) };
    return { state: { index: to, window: [], comfortableMs: 0, holdMs, lastMove: 'down' }, move };
  }
  if (i > 0) {
    const predictedRtf = predictRtf(rtf, i, i - 1, costs);
    if (predictedRtf < cfg.budget * cfg.upMargin) {
      const comfortableMs = state.comfortableMs + chunk.audioMs;
      if (comfortableMs >= state.holdMs) {
        const move = { from: i, to: i - 1, rtf, predictedRtf };
        return { state: { ...state, index: i - 1, window: [], comfortableMs: 0, lastMove: 'up' }, move };
      }
      return { state: { ...next, comfortableMs }, move: null };
    }
  }
  return { state: { ...next, comfortableMs: 0 }, move: null };
}

/**
 * Where auto starts: the densest level whose RTF measured in the Compare view is under budget (the sparsest
 * measured one if none is), else the level already running.
 */
export function initialAutoIndex(levelIds: readonly string[], measuredRtf: ReadonlyMap<string, number>, current: number, budget = AUTO_RTF_BUDGET): number {
  const measured = levelIds.map((id, i) => ({ i, rtf: measuredRtf.get(id) })).filter((m) => m.rtf !== undefined && Number.isFinite(m.rtf));
  if (measured.length === 0) return current;
  return (measured.find((m) => m.rtf! < budget) ?? measured[measured.length - 1]!).i;
}

/** "auto: s70 — RTF 0.41 over last 5 s" (or "measuring…" until there is enough evidence). */
export function describeAuto(s: AutoState, levelId: string, cfg: AutoConfig = DEFAULT_AUTO_CONFIG): string {
  const rtf = windowRtf(s);
  const audio = windowAudioMs(s);
  if (rtf === null || audio < cfg.minEvidenceMs) return `auto: ${levelId} — measuring RTF (budget ${cfg.budget})`;
  return `auto: ${levelId} — RTF ${rtf.toFixed(2)} over last ${Math.round(audio / 1000)} s`;
}

/** Why the last switch happened, for the UI. */
export function describeMove(m: AutoMove, ids: readonly string[], cfg: AutoConfig = DEFAULT_AUTO_CONFIG): string {
  const from = ids[m.from] ?? '?';
  const to = ids[m.to] ?? '?';
  return m.to > m.from
    ? `${from} → ${to}: RTF ${m.rtf.toFixed(2)} exceeded the budget ${cfg.budget}`
    : `${from} → ${to}: predicted RTF ${m.predictedRtf.toFixed(2)} left headroom under ${cfg.budget}`;
}

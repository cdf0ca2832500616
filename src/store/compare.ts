// Store-side data of the Compare view (an on-device latency sweep over every level) and of the auto level.
// Plain data + pure helpers; the actions that drive them live in store.ts.
import type { AutoState } from './autoLevel';
import type { LevelLatencySummary } from './latencyStats';

export type ComparePhase = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

export interface CompareData {
  phase: ComparePhase;
  /** levels in this sweep, dense first */
  levelIds: string[];
  /** the level being measured now */
  current: string | null;
  /** one per measured level, in sweep order; kept from the last sweep until a new one starts */
  results: LevelLatencySummary[];
  error: string | null;
}

export interface AutoData {
  enabled: boolean;
  machine: AutoState | null;
  /** why the last automatic switch happened */
  note: string | null;
}

export function initialCompare(): CompareData {
  return { phase: 'idle', levelIds: [], current: null, results: [], error: null };
}

export function initialAuto(): AutoData {
  return { enabled: false, machine: null, note: null };
}

/** Fraction of the sweep done, for the progress bar. */
export function compareProgress(c: CompareData): number {
  return c.levelIds.length === 0 ? 0 : c.results.length / c.levelIds.length;
}

/** Measured RTF per level id (only finite values), for the auto level's starting point. */
export function measuredRtf(c: CompareData): Map<string, number> {
  return new Map(c.results.filter((r) => Number.isFinite(r.rtf)).map((r) => [r.level, r.rtf]));
}

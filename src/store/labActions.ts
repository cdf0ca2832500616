// The latency lab's store actions: the Compare sweep (measure every level on this device, in the worker) and the
// auto level (folds live chunk metrics into the autoLevel state machine and switches through the normal level path,
// which continues the utterance on the new level from a replayed state, so no text or audio is lost).
import type { LevelMeasurer } from '../asr/measure';
import type { ChunkMetrics, RecognizerClient } from '../asr/types';
import { describeMove, initialAutoIndex, initialAutoState, observeChunk } from './autoLevel';
import { measuredRtf } from './compare';
import { summarizeMeasurement } from './latencyStats';
import type { RecognizerData } from './state';

export interface LabActions {
  /** Measures every level in turn; ignored while audio is being recognized or a sweep runs. */
  measureAll(): Promise<void>;
  /** Stops the sweep within one chunk; levels measured so far are kept. */
  cancelMeasure(): void;
  setAuto(enabled: boolean): void;
}

interface Deps {
  client: RecognizerClient & Partial<LevelMeasurer>;
  get: () => RecognizerData;
  set: (patch: Partial<RecognizerData> | ((s: RecognizerData) => Partial<RecognizerData>)) => void;
  /** the store's serialized level switch (does not touch the auto flag) */
  requestLevel: (id: string) => Promise<void>;
}

export function canMeasure(client: RecognizerClient & Partial<LevelMeasurer>): boolean {
  return typeof client.measureLevel === 'function';
}

export function createLabActions({ client, get, set, requestLevel }: Deps): LabActions & { onMetrics(m: ChunkMetrics): void } {
  let cancelRequested = false;

  async function measureAll(): Promise<void> {
    const s = get();
    if (!client.measureLevel || s.compare.phase === 'running' || s.status !== 'idle' || s.levels.length === 0) return;
    cancelRequested = false;
    const levelIds = s.levels.map((l) => l.id);
    set({ compare: { phase: 'running', levelIds, current: null, results: [], error: null } });
    for (const id of levelIds) {
      if (cancelRequested) break;
      set((d) => ({ compare: { ...d.compare, current: id } }));
      try {
        const summary = summarizeMeasurement(await client.measureLevel(id));
        set((d) => ({ compare: { ...d.compare, results: [...d.compare.results, summary] } }));
      } catch (err) {
        if (cancelRequested) break;
        const message = err instanceof Error ? err.message : String(err);
        set((d) => ({ compare: { ...d.compare, phase: 'failed', current: null, error: `${id}: ${message}` } }));
        return;
      }
    }
    set((d) => ({ compare: { ...d.compare, phase: cancelRequested ? 'cancelled' : 'done', current: null } }));
  }

  function cancelMeasure(): void {
    if (get().compare.phase !== 'running') return;
    cancelRequested = true;
    client.cancelMeasure?.();
  }

  function setAuto(enabled: boolean): void {
    const s = get();
    if (!enabled) {
      set({ auto: { enabled: false, machine: null, note: null } });
      return;
    }
    const ids = s.levels.map((l) => l.id);
    if (ids.length === 0) return;
    const measured = measuredRtf(s.compare);
    const index = initialAutoIndex(ids, measured, Math.max(0, ids.indexOf(s.selectedLevel ?? '')));
    const id = ids[index]!;
    const rtf = measured.get(id);
    const note = rtf === undefined ? null : `start at ${id}: RTF ${rtf.toFixed(2)} measured in Compare`;
    set({ auto: { enabled: true, machine: initialAutoState(index), note } });
    if (id !== s.selectedLevel) void requestLevel(id);
  }

  function onMetrics(m: ChunkMetrics): void {
    const s = get();
    const machine = s.auto.machine;
    if (!s.auto.enabled || !machine) return;
    const ids = s.levels.map((l) => l.id);
    // Chunks decoded by the previous level while a switch loads say nothing about the chosen one.
    if (m.level !== ids[machine.index]) return;
    const costs = s.levels.map((l) => l.flopsPerSecond);
    const { state, move } = observeChunk(machine, { computeMs: m.computeMs, audioMs: m.audioMs }, costs);
    set({ auto: { ...s.auto, machine: state, note: move ? describeMove(move, ids) : s.auto.note } });
    if (move) void requestLevel(ids[move.to]!);
  }

  return { measureAll, cancelMeasure, setAuto, onMetrics };
}

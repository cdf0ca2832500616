// A ModelLoader that creates each level's sessions once and times that first creation. The bench measures the
// level directly and then hands the same sessions to a real Recognizer, so switch-from-cache timings do not pay
// for a second copy of every model. The second pass's models (encoderFull, Whisper) are passed through uncached: each
// recognizer that chooses a pass loads and disposes its own, so the bench times that load as a user would pay it.

import type { LevelModels, ModelLoader } from '../../src/asr/engine';
import type { LevelInfo } from '../../src/asr/types';

export interface MemoLoader extends ModelLoader {
  /** ms the first load of each level took */
  readonly loadMs: Map<string, number>;
  /** releases every session created (the shared models' own dispose is a no-op) */
  disposeAll(): Promise<void>;
}

export function memoLoader(inner: ModelLoader, now: () => number): MemoLoader {
  const cache = new Map<string, Promise<LevelModels>>();
  const releases: (() => Promise<void>)[] = [];
  const loadMs = new Map<string, number>();
  return {
    backend: inner.backend,
    loadMs,
    ...(inner.loadFullEncoder ? { loadFullEncoder: inner.loadFullEncoder.bind(inner) } : {}),
    ...(inner.loadWhisper ? { loadWhisper: inner.loadWhisper.bind(inner) } : {}),
    load(level: LevelInfo): Promise<LevelModels> {
      let p = cache.get(level.id);
      if (!p) {
        const t0 = now();
        p = inner.load(level).then((m) => {
          loadMs.set(level.id, now() - t0);
          releases.push(() => m.dispose());
          // Shared sessions: a recognizer's dispose must not release them under the bench.
          return { ...m, dispose: () => Promise.resolve() };
        });
        cache.set(level.id, p);
        p.catch(() => cache.delete(level.id));
      }
      return p;
    },
    async disposeAll() {
      for (const release of releases.splice(0)) await release();
      cache.clear();
    },
  };
}

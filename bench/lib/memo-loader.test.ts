import { describe, expect, it } from 'vitest';
import type { LevelModels, ModelLoader } from '../../src/asr/engine';
import type { LevelInfo } from '../../src/asr/types';
import { memoLoader } from './memo-loader';

function countingLoader(): ModelLoader & { loads: number; disposed: number } {
  const self = {
    backend: 'wasm' as const,
    loads: 0,
    disposed: 0,
    load(level: LevelInfo): Promise<LevelModels> {
      self.loads++;
      if (level.id === 'bad') return Promise.reject(new Error('nope'));
      const models = { level, dispose: () => Promise.resolve(void self.disposed++) } as unknown as LevelModels;
      return Promise.resolve(models);
    },
  };
  return self;
}

const lvl = (id: string) => ({ id }) as LevelInfo;

describe('memoLoader', () => {
  it("passes the second pass's loaders through, and only where the inner loader has them", async () => {
    const inner = countingLoader();
    expect(memoLoader(inner, () => 0).loadFullEncoder).toBeUndefined();
    const full = { run: () => Promise.reject(new Error('unused')), dispose: () => Promise.resolve() };
    const withFull = Object.assign(inner, { loadFullEncoder: () => Promise.resolve(full) });
    expect(await memoLoader(withFull, () => 0).loadFullEncoder!(lvl('a'))).toBe(full);
  });

  it('loads each level once, times it, and only disposeAll releases', async () => {
    const inner = countingLoader();
    let t = 0;
    const memo = memoLoader(inner, () => (t += 5));
    const a = await memo.load(lvl('a'));
    expect(await memo.load(lvl('a'))).toBe(a);
    expect(inner.loads).toBe(1);
    expect(memo.loadMs.get('a')).toBe(5);
    await a.dispose();
    expect(inner.disposed).toBe(0);
    await memo.disposeAll();
    expect(inner.disposed).toBe(1);
  });
  it('retries a failed load', async () => {
    const inner = countingLoader();
    const memo = memoLoader(inner, () => 0);
    await expect(memo.load(lvl('bad'))).rejects.toThrow('nope');
    await expect(memo.load(lvl('bad'))).rejects.toThrow('nope');
    expect(inner.loads).toBe(2);
  });
});

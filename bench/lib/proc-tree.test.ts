import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { descendants, findByTag, parentMap, treeRssMb } from './proc-tree';

/** A fake /proc: pid, parent, command line, RSS in kB. */
function fakeProc(rows: [number, number, string, number][]): string {
  const root = mkdtempSync(join(tmpdir(), 'proc-'));
  for (const [pid, ppid, cmd, kb] of rows) {
    mkdirSync(join(root, String(pid)));
    writeFileSync(join(root, String(pid), 'stat'), `${pid} (chrome (x) y) S ${ppid} 1 1 0`);
    writeFileSync(join(root, String(pid), 'cmdline'), cmd.replaceAll(' ', '\0'));
    writeFileSync(join(root, String(pid), 'status'), `Name:\tx\nVmRSS:\t   ${kb} kB\nThreads:\t1\n`);
  }
  mkdirSync(join(root, 'self'));
  return root;
}

describe('proc-tree', () => {
  const root = fakeProc([
    [10, 1, '/usr/bin/chromium --tag=abc', 1024],
    [11, 10, '/usr/lib/chromium --type=zygote', 2048],
    [12, 11, '/usr/lib/chromium --type=renderer', 4096],
    [13, 10, '/usr/lib/chromium --type=gpu-process', 512],
    [20, 1, '/usr/bin/chromium --tag=other', 8192],
  ]);
  it('reads parents past a command name with spaces and parentheses', () => {
    expect(parentMap(root).get(12)).toBe(11);
  });
  it('finds the tagged process and sums its whole tree, and only it', () => {
    const pid = findByTag('--tag=abc', root)!;
    expect(pid).toBe(10);
    expect(descendants(pid, parentMap(root)).sort()).toEqual([10, 11, 12, 13]);
    expect(treeRssMb(pid, root)).toEqual({ totalMb: 7.5, processes: 4 });
    expect(findByTag('--tag=none', root)).toBeNull();
  });
});

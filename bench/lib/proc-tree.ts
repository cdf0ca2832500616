// Resident memory of a process and all its descendants, from /proc (Linux): a browser is many processes (browser,
// renderers, GPU, utility), and the app's worker lives in one of them.
import { readdirSync, readFileSync } from 'node:fs';

/** pid -> parent pid, for every process we may read. */
export function parentMap(procRoot = '/proc'): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'
      const stat = readFileSync(`${procRoot}/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** `root` and every process below it. */
export function descendants(root: number, parents: ReadonlyMap<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** VmRSS of one process in MB (0 when it is gone). */
export function rssMb(pid: number, procRoot = '/proc'): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`${procRoot}/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The first process whose command line contains `tag` (a switch only this launch carries). */
export function findByTag(tag: string, procRoot = '/proc'): number | null {
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`${procRoot}/${name}/cmdline`, 'utf8').includes(tag)) return Number(name);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

export function treeRssMb(root: number, procRoot = '/proc'): { totalMb: number; processes: number } {
  const pids = descendants(root, parentMap(procRoot));
  return { totalMb: pids.reduce((a, p) => a + rssMb(p, procRoot), 0), processes: pids.length };
}

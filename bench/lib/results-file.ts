// bench/results/browser-latest.json is written by two spec files (browser-bench: the bench page; app-latency: the
// real app). Each owns some top-level keys and merges them in, so neither run erases the other's section.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type ResultDoc = Record<string, unknown>;

/** The existing document with `patch`'s keys replaced; a missing or unreadable file counts as empty. */
export function mergeDoc(existing: string | null, patch: ResultDoc): ResultDoc {
  let base: ResultDoc = {};
  if (existing !== null) {
    try {
      const parsed: unknown = JSON.parse(existing);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) base = parsed as ResultDoc;
    } catch {
      // A half-written or hand-edited file: start over rather than fail the bench.
    }
  }
  return { ...base, ...patch };
}

export function mergeIntoFile(path: string, patch: ResultDoc): void {
  mkdirSync(dirname(path), { recursive: true });
  const doc = mergeDoc(existsSync(path) ? readFileSync(path, 'utf8') : null, patch);
  // Write-then-rename: a reader (or the other spec) never sees a truncated file.
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
  renameSync(tmp, path);
}

// Character error rate between two transcripts, used to compare the browser's output with the Node CLI's.

export function normalizeText(s: string): string {
  return s.toLowerCase().replace(/[^a-z' ]+/g, ' ').replace(/\s+/g, ' ').trim();
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** CER of `hyp` against `ref` after normalisation; 0 when both are empty, 1 when only ref is empty. */
export function cer(ref: string, hyp: string): number {
  const r = normalizeText(ref);
  const h = normalizeText(hyp);
  if (r.length === 0) return h.length === 0 ? 0 : 1;
  return editDistance(r, h) / r.length;
}

/** CER against the closest of several references: the CLI's transcripts of the clip at every chunk-grid offset a
 *  live capture can land on (a streaming model's output legitimately depends on where the grid falls). */
export function closestCer(refs: readonly string[], hyp: string): { score: number; ref: string } {
  if (refs.length === 0) throw new Error('closestCer needs at least one reference');
  let best = { score: Infinity, ref: '' };
  for (const ref of refs) {
    const score = cer(ref, hyp);
    if (score < best.score) best = { score, ref };
  }
  return best;
}

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

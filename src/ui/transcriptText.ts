// Plain-text rendering of a transcript for the clipboard: one final per line, the live partial last.
import type { FinalLine } from '../store/state';

export function transcriptText(finals: readonly FinalLine[], partial: string): string {
  const lines = finals.map((f) => f.text.trim());
  if (partial.trim() !== '') lines.push(partial.trim());
  return lines.join('\n');
}

// Number formatting shared by the slider, the metrics panel and the widget. Pure, so unit-tested.

/** Megabytes with one decimal (decimal MB, as download sizes are usually quoted). */
export function formatMB(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function formatPercent(fraction: number, digits = 0): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** 812345 → "812k", 1234567 → "1.23M": parameter counts only need 3 significant digits. */
export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e3) return `${Math.round(n / 1e3)}k`;
  return String(n);
}

/** WER may be unknown (null) when the recipe did not evaluate a level. */
export function formatRate(rate: number | null): string {
  return rate === null ? '–' : formatPercent(rate, 1);
}

export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

export function formatRtf(rtf: number | null): string {
  return rtf === null || !Number.isFinite(rtf) ? '–' : rtf.toFixed(3);
}

/** Word-timing tooltip: "1.23–1.56 s". */
export function formatSpan(start: number, end: number): string {
  return `${start.toFixed(2)}–${end.toFixed(2)} s`;
}

const PASS_NAMES = { transducer: 'full-context transducer', whisper: 'Whisper' } as const;

/**
 * What a final line says about the second pass that wrote it: null for a streaming final (nothing was replaced),
 * else the streaming text it replaced, worded for a tooltip / aria-description.
 */
export function secondPassMarker(line: {
  text: string;
  pass?: 'stream' | 'transducer' | 'whisper';
  streamText?: string;
}): { streamText: string; description: string } | null {
  if (line.pass === undefined || line.pass === 'stream') return null;
  const by = `final line by the ${PASS_NAMES[line.pass]} second pass`;
  if (line.streamText === undefined) return { streamText: line.text, description: `${by}; the streaming text was the same` };
  return { streamText: line.streamText, description: `${by}; streaming text was: “${line.streamText}”` };
}

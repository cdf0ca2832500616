import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { FinalLine } from '../../store/state';
import { useRecognizerState } from '../../store/useRecognizer';
import { formatSpan, secondPassMarker } from '../format';
import { transcriptText } from '../transcriptText';
import { firstRendered, TRANSCRIPT_PAGE } from '../transcriptWindow';

function FinalLineView({ line }: { line: FinalLine }) {
  const marker = secondPassMarker(line);
  // Word spans carry their timing as a tooltip; lines without timings fall back to plain text.
  return (
    // The producing level (and a second pass's mark) are drawn by CSS from data attributes, so the line's text
    // content stays pure text. The streaming text a second pass replaced stays on the line for comparison, out of the
    // way: in the tooltip, the accessible description and data-stream-text.
    <p
      className="final-line"
      data-testid="final-line"
      data-level={line.level}
      data-pass={line.pass ?? 'stream'}
      {...(marker ? { 'data-stream-text': marker.streamText, 'aria-description': marker.description } : {})}
      title={marker ? `level ${line.level} · ${marker.description}` : `level ${line.level}`}
    >
      {line.words.length === 0
        ? line.text
        : line.words.map((w, i) => (
            <span key={i} className="word" title={`${w.approximate ? '≈ ' : ''}${formatSpan(w.start, w.end)}`}>
              {w.word}{' '}
            </span>
          ))}
    </p>
  );
}

export function TranscriptPane() {
  const finals = useRecognizerState((s) => s.finals);
  const partial = useRecognizerState((s) => s.partial);
  const clear = useRecognizerState((s) => s.clearTranscript);
  const pendingOnsetAt = useRecognizerState((s) => s.onsetLatency.pendingOnsetAt);
  const partialShown = useRecognizerState((s) => s.partialShown);
  const [copied, setCopied] = useState(false);
  const [earlierPages, setEarlierPages] = useState(0);
  const empty = finals.length === 0 && partial === '';
  const start = firstRendered(finals.length, earlierPages);
  useEffect(() => {
    if (finals.length === 0) setEarlierPages(0); // cleared: back to the newest page
  }, [finals.length]);
  // Follow new text like a terminal, unless the reader scrolled up to look at older lines.
  const paneRef = useRef<HTMLDivElement>(null);
  const followRef = useRef(true);
  useLayoutEffect(() => {
    const el = paneRef.current;
    if (el && followRef.current) el.scrollTop = el.scrollHeight;
  }, [finals, partial]);
  // Ends the "speech onset -> first text" latency when the first partial can first be seen: requestAnimationFrame
  // after the commit runs just before the browser paints the frame that shows it (the convention of the app bench).
  useEffect(() => {
    if (pendingOnsetAt === null) return;
    const id = requestAnimationFrame(() => partialShown(performance.now()));
    return () => cancelAnimationFrame(id);
  }, [pendingOnsetAt, partialShown]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(transcriptText(finals, partial));
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  }

  return (
    <section className="card transcript-card" aria-labelledby="transcript-heading">
      <div className="card-head">
        <h2 id="transcript-heading">Transcript</h2>
        <div className="card-actions">
          <button type="button" onClick={() => void copy()} disabled={empty} data-testid="copy-button">
            {copied ? 'Copied' : 'Copy'}
          </button>
          <button type="button" onClick={clear} disabled={empty} data-testid="clear-button">
            Clear
          </button>
        </div>
      </div>
      <div
        className="transcript"
        data-testid="transcript"
        aria-live="polite"
        ref={paneRef}
        onScroll={(e) => {
          const el = e.currentTarget;
          followRef.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {empty && <p className="placeholder">Press the microphone and speak, or drop an audio file.</p>}
        {start > 0 && (
          <button type="button" className="show-earlier" data-testid="show-earlier" data-hidden={start} onClick={() => setEarlierPages((p) => p + 1)}>
            Show {Math.min(TRANSCRIPT_PAGE, start)} earlier lines ({start} not shown; Copy includes them)
          </button>
        )}
        {finals.slice(start).map((line, i) => (
          <FinalLineView key={start + i} line={line} />
        ))}
        {partial !== '' && (
          <p className="partial" data-testid="partial">
            {partial}
          </p>
        )}
      </div>
    </section>
  );
}

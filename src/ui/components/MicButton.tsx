import { useRecognizerState } from '../../store/useRecognizer';

export function MicButton() {
  const status = useRecognizerState((s) => s.status);
  const ready = useRecognizerState((s) => s.manifest !== null);
  const toggle = useRecognizerState((s) => s.toggleMic);
  const measuring = useRecognizerState((s) => s.compare.phase === 'running');
  const listening = status === 'listening';
  // The Compare sweep shares the worker's queue: audio would wait behind it.
  const busy = status === 'loading' || status === 'file' || status === 'stopping' || measuring;
  return (
    <button
      type="button"
      className={`mic-button${listening ? ' is-listening' : ''}`}
      data-testid="mic-button"
      aria-pressed={listening}
      aria-label={listening ? 'Stop dictation' : 'Start dictation'}
      disabled={!ready || busy}
      onClick={() => void toggle()}
    >
      <svg viewBox="0 0 24 24" aria-hidden="true" className="mic-icon">
        {listening ? (
          <rect x="6" y="6" width="12" height="12" rx="2" />
        ) : (
          <path d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11h-2z" />
        )}
      </svg>
      <span>{listening ? 'Stop' : 'Dictate'}</span>
    </button>
  );
}

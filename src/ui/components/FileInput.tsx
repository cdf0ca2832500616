import { useState, type DragEvent } from 'react';
import { useRecognizerState } from '../../store/useRecognizer';
import { fileOutcomeText } from '../fileOutcome';

const ACCEPT = 'audio/*,.wav,.mp3,.ogg,.oga,.webm,.m4a,.flac';

export function FileInput() {
  const transcribe = useRecognizerState((s) => s.transcribeFile);
  const status = useRecognizerState((s) => s.status);
  const ready = useRecognizerState((s) => s.manifest !== null);
  const measuring = useRecognizerState((s) => s.compare.phase === 'running');
  const lastFile = useRecognizerState((s) => s.lastFile);
  const [dragging, setDragging] = useState(false);
  const [name, setName] = useState<string | null>(null);
  // Mic and file share one stream into the worker, so a file waits until dictation (or a Compare sweep) stops.
  const disabled = !ready || status !== 'idle' || measuring;

  function take(file: File | undefined) {
    if (!file || disabled) return;
    setName(file.name);
    void transcribe(file);
  }

  function onDrop(e: DragEvent<HTMLLabelElement>) {
    e.preventDefault();
    setDragging(false);
    take(e.dataTransfer.files[0]);
  }

  return (
    <label
      className={`drop-zone${dragging ? ' is-dragging' : ''}${disabled ? ' is-disabled' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <input
        type="file"
        accept={ACCEPT}
        data-testid="file-input"
        aria-label="Transcribe an audio file"
        disabled={disabled}
        onChange={(e) => {
          take(e.currentTarget.files?.[0]);
          e.currentTarget.value = ''; // allow picking the same file again
        }}
      />
      <span className="drop-title">{status === 'file' ? `Transcribing ${name ?? 'file'}…` : 'Drop an audio file or choose one'}</span>
      <span className="drop-hint">wav · mp3 · ogg · webm — decoded locally, never uploaded</span>
      {lastFile && status !== 'file' && (
        <span className="drop-result" role="status" data-testid="file-result" data-ok={String(lastFile.ok)} data-lines={lastFile.lines}>
          {fileOutcomeText(lastFile)}
        </span>
      )}
    </label>
  );
}

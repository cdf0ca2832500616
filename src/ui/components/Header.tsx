import { useRecognizerState } from '../../store/useRecognizer';
import { OfflineBadge } from './OfflineBadge';

const STATUS_TEXT = {
  idle: 'Ready',
  loading: 'Loading model…',
  listening: 'Listening',
  file: 'Transcribing file…',
  stopping: 'Finishing…',
} as const;

export function Header() {
  const backend = useRecognizerState((s) => s.backend);
  const requested = useRecognizerState((s) => s.requestedBackend);
  const status = useRecognizerState((s) => s.status);
  const loaded = useRecognizerState((s) => s.manifest !== null);
  const failed = useRecognizerState((s) => s.errors.length > 0);
  return (
    <header className="app-header">
      <div className="brand">
        <h1>Omnisparse</h1>
        <p className="tagline">Streaming speech recognition, entirely in your browser</p>
      </div>
      <div className="header-badges">
        <span className={`status-pill status-${status}`} role="status" data-testid="status" data-status={status}>
          {loaded || status !== 'idle' ? STATUS_TEXT[status] : failed ? 'No model' : 'Starting…'}
        </span>
        <OfflineBadge />
        <span className="backend-badge" data-testid="backend" title={`requested: ${requested}`}>
          {backend ?? (requested === 'auto' ? '…' : `${requested}?`)}
        </span>
        {requested === 'webgpu' && backend !== null && backend !== 'webgpu' && (
          <span className="backend-note" data-testid="backend-note" title="This browser grants no WebGPU adapter (disabled, blocked or no GPU)">
            WebGPU unavailable
          </span>
        )}
      </div>
    </header>
  );
}

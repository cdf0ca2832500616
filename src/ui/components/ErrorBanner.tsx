import { canRetryLoad } from '../../store/state';
import { useRecognizerState } from '../../store/useRecognizer';
import { errorText } from '../errorText';

export function ErrorBanner() {
  const errors = useRecognizerState((s) => s.errors);
  const dismiss = useRecognizerState((s) => s.dismissError);
  const retry = useRecognizerState((s) => (canRetryLoad(s) ? s.retryLoad : null));
  if (errors.length === 0) return null;
  return (
    <div className="error-stack" data-testid="error" role="alert">
      {errors.map((e) => {
        const text = errorText(e.code, e.message);
        return (
          <div key={e.id} className="error-item" data-code={e.code}>
            <div className="error-body">
              <strong>{text.title}</strong> <code className="error-code">{e.code}</code>
              <p>{text.hint}</p>
              {e.message && <p className="error-detail">{e.message}</p>}
            </div>
            <button type="button" className="error-dismiss" aria-label={`Dismiss ${e.code} error`} onClick={() => dismiss(e.id)}>
              ×
            </button>
          </div>
        );
      })}
      {retry && (
        <div className="error-actions">
          <button type="button" className="retry-button" data-testid="retry-load" onClick={() => void retry()}>
            Try again
          </button>
        </div>
      )}
    </div>
  );
}

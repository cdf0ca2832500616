// The slider's "auto" position: lets the app pick the densest level that keeps up on this device.
import { AUTO_RTF_BUDGET, describeAuto } from '../../store/autoLevel';
import { useRecognizerState } from '../../store/useRecognizer';

export function AutoLevelToggle() {
  const auto = useRecognizerState((s) => s.auto);
  const levels = useRecognizerState((s) => s.levels);
  const setAuto = useRecognizerState((s) => s.setAuto);
  const id = auto.machine ? (levels[auto.machine.index]?.id ?? '') : '';
  return (
    <div className="auto-level">
      <button
        type="button"
        className={`auto-toggle${auto.enabled ? ' is-on' : ''}`}
        data-testid="level-auto"
        aria-pressed={auto.enabled}
        disabled={levels.length < 2}
        title={`densest level whose real-time factor stays under ${AUTO_RTF_BUDGET} on this device`}
        onClick={() => setAuto(!auto.enabled)}
      >
        auto
      </button>
      {auto.enabled && auto.machine && (
        <span className="auto-reason" data-testid="auto-reason" data-level={id} aria-live="polite">
          {describeAuto(auto.machine, id)}
          {auto.note && <span className="auto-note"> · {auto.note}</span>}
        </span>
      )}
    </div>
  );
}

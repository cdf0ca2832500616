// The Compare view: measure every level on this device (in the worker, on a private session), then plot the model
// card's WER against the measured latency or the size, beside a table.
import { useMemo, useState } from 'react';
import { compareProgress } from '../../store/compare';
import { useRecognizerState } from '../../store/useRecognizer';
import { chartPoints, compareRows, type XAxis } from '../compareRows';
import { CompareChart } from './CompareChart';
import { CompareTable } from './CompareTable';

const PHASE_TEXT = { idle: '', running: 'Measuring', done: 'Done', cancelled: 'Cancelled', failed: 'Failed' } as const;

export function ComparePanel() {
  const levels = useRecognizerState((s) => s.levels);
  const compare = useRecognizerState((s) => s.compare);
  const status = useRecognizerState((s) => s.status);
  const backend = useRecognizerState((s) => s.backend);
  const measureAll = useRecognizerState((s) => s.measureAll);
  const cancel = useRecognizerState((s) => s.cancelMeasure);
  const [axis, setAxis] = useState<XAxis>('latency');
  const rows = useMemo(() => compareRows(levels, compare.results), [levels, compare.results]);
  const points = useMemo(() => chartPoints(rows, axis), [rows, axis]);
  const pareto = useMemo(() => new Set(points.filter((p) => p.pareto).map((p) => p.row.id)), [points]);
  const running = compare.phase === 'running';
  const progress = compareProgress(compare);

  return (
    <section className="card compare-card" aria-labelledby="compare-heading" data-testid="compare" data-phase={compare.phase}>
      <div className="card-head">
        <h2 id="compare-heading">Compare levels</h2>
        <div className="card-actions">
          <button
            type="button"
            data-testid="measure-button"
            onClick={() => void measureAll()}
            disabled={running || status !== 'idle' || levels.length === 0}
            title={status !== 'idle' ? 'stop dictation first: measuring shares the inference worker' : undefined}
          >
            Measure on this device
          </button>
          {running && (
            <button type="button" data-testid="measure-cancel" onClick={cancel}>
              Cancel
            </button>
          )}
        </div>
      </div>
      <p className="compare-note">
        Streams a fixed 5 s speech-like test signal through each level ({backend ?? 'backend pending'}), timing every
        160 ms chunk after a warm-up. WER comes from the model card (manifest), not from this device.
      </p>
      {compare.phase !== 'idle' && (
        <div className="compare-progress" aria-live="polite">
          <progress max={1} value={progress} data-testid="measure-progress" aria-label="measurement progress" />
          <span data-testid="measure-status">
            {PHASE_TEXT[compare.phase]} {compare.results.length}/{compare.levelIds.length}
            {compare.current ? ` · ${compare.current}` : ''}
          </span>
        </div>
      )}
      {compare.error && (
        <p className="compare-error" role="alert">
          {compare.error}
        </p>
      )}
      <div className="axis-toggle" role="radiogroup" aria-label="x axis">
        {(['latency', 'size'] as const).map((a) => (
          <label key={a}>
            <input type="radio" name="compare-axis" value={a} checked={axis === a} onChange={() => setAxis(a)} />
            {a === 'latency' ? 'WER vs latency' : 'WER vs size'}
          </label>
        ))}
      </div>
      <div className="compare-body">
        {points.length > 0 ? (
          <CompareChart points={points} axis={axis} />
        ) : (
          <p className="placeholder">Measure to plot WER against latency on this device.</p>
        )}
        <CompareTable rows={rows} pareto={pareto} />
      </div>
    </section>
  );
}

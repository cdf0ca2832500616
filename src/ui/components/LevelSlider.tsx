import type { LevelInfo } from '../../asr/types';
import { useRecognizerState } from '../../store/useRecognizer';
import { formatCount, formatMB, formatPercent, formatRate } from '../format';
import { AutoLevelToggle } from './AutoLevelToggle';

function LevelRow({ level, selected, onPick }: { level: LevelInfo; selected: boolean; onPick: () => void }) {
  return (
    <tr className={selected ? 'is-selected' : undefined} onClick={onPick}>
      <th scope="row">{level.label}</th>
      <td>{formatPercent(level.sparsity)}</td>
      <td>{formatMB(level.bytes.gzip)}</td>
      <td>{formatCount(level.nonzeroParams)}</td>
      <td>{formatRate(level.dev.wer)}</td>
    </tr>
  );
}

export function LevelSlider() {
  const levels = useRecognizerState((s) => s.levels);
  const selected = useRecognizerState((s) => s.selectedLevel);
  const active = useRecognizerState((s) => s.activeLevel);
  const setLevel = useRecognizerState((s) => s.setLevel);
  const index = Math.max(0, levels.findIndex((l) => l.id === selected));
  const current = levels[index];
  const switching = selected !== null && active !== null && selected !== active;

  return (
    <section className="card level-card" aria-labelledby="level-heading">
      <div className="card-head">
        <h2 id="level-heading">Sparsity</h2>
        <span className="level-label" data-testid="level-label" data-level={current?.id ?? ''} aria-live="polite">
          {current ? `${current.label} · ${formatMB(current.bytes.gzip)}` : 'no model'}
          {switching && <span className="switching"> (loading…)</span>}
        </span>
      </div>
      <input
        type="range"
        className="level-slider"
        data-testid="level-slider"
        aria-label="Sparsity level (dense to sparse)"
        aria-valuetext={current?.label ?? ''}
        min={0}
        max={Math.max(0, levels.length - 1)}
        step={1}
        value={index}
        disabled={levels.length < 2}
        onChange={(e) => {
          const next = levels[Number(e.currentTarget.value)];
          if (next) void setLevel(next.id);
        }}
      />
      <div className="slider-ends" aria-hidden="true">
        <span>dense · accurate</span>
        <span>sparse · small &amp; fast</span>
      </div>
      <AutoLevelToggle />
      {levels.length > 0 && (
        <div className="table-scroll">
          <table className="level-table">
            <thead>
              <tr>
                <th scope="col">Level</th>
                <th scope="col" title="fraction of prunable weights removed">Sparse</th>
                <th scope="col" title="download size of the three ONNX files, gzip">Size</th>
                <th scope="col" title="nonzero parameters">Params</th>
                <th scope="col" title="word error rate on the dev set">WER</th>
              </tr>
            </thead>
            <tbody>
              {levels.map((l) => (
                <LevelRow key={l.id} level={l} selected={l.id === current?.id} onPick={() => void setLevel(l.id)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

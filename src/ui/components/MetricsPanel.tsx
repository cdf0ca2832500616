import { useMemo } from 'react';
import { summarizeFinalLatency } from '../../store/latencyStats';
import { useRecognizerState } from '../../store/useRecognizer';
import { formatMB, formatMs, formatRtf } from '../format';
import { summarizeMetrics, summarizeOnsetLatency } from '../metricsSummary';
import { Sparkline } from './Sparkline';

export function MetricsPanel() {
  const history = useRecognizerState((s) => s.metrics);
  const backend = useRecognizerState((s) => s.backend);
  const switches = useRecognizerState((s) => s.levelSwitches);
  const summary = useMemo(() => summarizeMetrics(history), [history]);
  const onsetMs = useRecognizerState((s) => s.onsetLatency.ms);
  const onset = useMemo(() => summarizeOnsetLatency(onsetMs), [onsetMs]);
  const finalRecords = useRecognizerState((s) => s.finalLatency);
  const finalLatency = useMemo(() => summarizeFinalLatency(finalRecords), [finalRecords]);
  const lastFinal = finalRecords.at(-1);
  const lastFinalSource = finalLatency.find((f) => f.pass === lastFinal?.pass);
  const latest = summary.latest;
  const lastSwitch = switches.at(-1);

  return (
    <section className="card metrics-card" aria-labelledby="metrics-heading" data-testid="metrics">
      <div className="card-head">
        <h2 id="metrics-heading">Live metrics</h2>
      </div>
      <dl className="metric-grid">
        <div data-metric="compute">
          <dt>Chunk compute</dt>
          <dd>{formatMs(latest?.computeMs ?? null)}</dd>
        </div>
        <div data-metric="rtf">
          <dt>Real-time factor</dt>
          <dd>{formatRtf(latest?.rtf ?? null)}</dd>
        </div>
        <div
          data-metric="onset-to-text"
          title={
            'From the start of speech in the microphone audio (the first 10 ms frame loud enough for the endpointer) to ' +
            'the first text of that utterance painted on screen; latest utterance, median over this session. Microphone ' +
            'only. Slightly low: the delay before audio reaches the page cannot be seen from it.'
          }
        >
          <dt>Speech onset → first text</dt>
          <dd>
            {formatMs(onset.lastMs)}
            {onset.count > 1 && <span className="metric-note"> (median {formatMs(onset.medianMs)}, {onset.count} utt.)</span>}
          </dd>
        </div>
        <div
          data-metric="final-latency"
          title={
            'From the endpoint (the silence that closes a line, or the stop) to its final line: the second pass re-reading ' +
            'and re-decoding the utterance, if one is chosen. Latest line; mean and p95 over the lines from the same pass.'
          }
        >
          <dt>Endpoint → final line</dt>
          <dd>
            {formatMs(lastFinal?.ms ?? null)}
            {lastFinalSource && lastFinalSource.count > 1 && (
              <span className="metric-note">
                {' '}
                ({lastFinalSource.pass}: mean {formatMs(lastFinalSource.meanMs)}, p95 {formatMs(lastFinalSource.p95Ms)})
              </span>
            )}
          </dd>
        </div>
        <div data-metric="model-bytes">
          <dt>Model bytes</dt>
          <dd>{latest ? formatMB(latest.modelBytes) : '–'}</dd>
        </div>
        <div data-metric="backend">
          <dt>Backend</dt>
          <dd>{backend ?? '–'}</dd>
        </div>
        <div data-metric="level-load">
          <dt>Last level load</dt>
          <dd>{lastSwitch ? `${formatMs(lastSwitch.loadMs)}${lastSwitch.fromCache ? ' (cached)' : ''}` : '–'}</dd>
        </div>
      </dl>
      <Sparkline values={history.map((m) => m.computeMs)} label="compute ms per 160 ms chunk" />
      {finalLatency.length > 0 && (
        <div className="table-scroll">
          <table className="latency-table" data-testid="final-latency-table">
            <caption>Endpoint → final line by pass (this session)</caption>
            <thead>
              <tr>
                <th scope="col">Text from</th>
                <th scope="col">Lines</th>
                <th scope="col">Mean</th>
                <th scope="col">p95</th>
              </tr>
            </thead>
            <tbody>
              {finalLatency.map((f) => (
                <tr key={f.pass} data-pass={f.pass}>
                  <th scope="row">{f.pass}</th>
                  <td>{f.count}</td>
                  <td>{formatMs(f.meanMs)}</td>
                  <td>{formatMs(f.p95Ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {summary.perLevel.length > 0 && (
        <div className="table-scroll">
          <table className="latency-table" data-testid="latency-table">
            <caption>Latency by level (this session)</caption>
            <thead>
              <tr>
                <th scope="col">Level</th>
                <th scope="col">Chunks</th>
                <th scope="col">Mean</th>
                <th scope="col">p95</th>
                <th scope="col">RTF</th>
              </tr>
            </thead>
            <tbody>
              {summary.perLevel.map((l) => (
                <tr key={l.level}>
                  <th scope="row">{l.level}</th>
                  <td>{l.chunks}</td>
                  <td>{formatMs(l.meanComputeMs)}</td>
                  <td>{formatMs(l.p95ComputeMs)}</td>
                  <td>{formatRtf(l.rtf)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

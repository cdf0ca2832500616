import type { CompareRow } from '../compareRows';
import { formatCount, formatMB, formatMs, formatPercent, formatRate, formatRtf } from '../format';

export function CompareTable({ rows, pareto }: { rows: CompareRow[]; pareto: ReadonlySet<string> }) {
  return (
    <div className="table-scroll">
      <table className="compare-table" data-testid="compare-table">
        <caption>Model card (manifest) and latency measured on this device</caption>
        <thead>
          <tr>
            <th scope="col">Level</th>
            <th scope="col" title="fraction of prunable weights removed">Sparsity</th>
            <th scope="col" title="nonzero parameters">Params</th>
            <th scope="col" title="download size of the three ONNX files, gzip">MB gzip</th>
            <th scope="col" title="word error rate on the dev set, from the manifest">Dev WER</th>
            <th scope="col" title="median compute per 160 ms chunk">p50</th>
            <th scope="col" title="95th percentile compute per 160 ms chunk">p95</th>
            <th scope="col" title="compute time / audio time">RTF</th>
            <th scope="col" title="creating the level's sessions from scratch">Load</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-level={r.id} className={pareto.has(r.id) ? 'is-pareto' : undefined}>
              <th scope="row">{r.id}</th>
              <td>{formatPercent(r.sparsity)}</td>
              <td>{formatCount(r.params)}</td>
              <td>{formatMB(r.gzipBytes)}</td>
              <td>{formatRate(r.wer)}</td>
              <td data-col="p50">{formatMs(r.measured?.p50Ms ?? null)}</td>
              <td>{formatMs(r.measured?.p95Ms ?? null)}</td>
              <td data-col="rtf">{formatRtf(r.measured?.rtf ?? null)}</td>
              <td>{formatMs(r.measured?.loadMs ?? null)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

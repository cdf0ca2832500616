// WER (model card) against measured per-chunk latency or download size, bubble area = the other quantity, with the
// Pareto front joined. Hand-written SVG: a handful of points needs no chart library.
import { useState } from 'react';
import { linearScale, niceDomain, niceTicks, extent } from '../chart/scale';
import { bubbleRadius, type ChartPoint, type XAxis } from '../compareRows';
import { formatMB, formatMs, formatRate, formatRtf } from '../format';

const W = 560;
const H = 320;
const M = { top: 14, right: 20, bottom: 46, left: 56 };
/** band under the plot for levels whose WER the manifest does not know */
const NA_BAND = 40;

const AXIS_TITLE: Record<XAxis, string> = { latency: 'per-chunk compute p50 (ms, this device)', size: 'download size (MB gzip)' };

function tooltipLines(p: ChartPoint): string[] {
  const m = p.row.measured;
  return [
    `${p.row.id} · ${p.row.label}`,
    `dev WER ${formatRate(p.row.wer)} · ${formatMB(p.row.gzipBytes)}`,
    m ? `p50 ${formatMs(m.p50Ms)} · p95 ${formatMs(m.p95Ms)} · RTF ${formatRtf(m.rtf)}` : 'not measured yet',
    p.pareto ? 'on the Pareto front' : p.y === null ? 'no WER in the manifest' : 'dominated by another level',
  ];
}

export function CompareChart({ points, axis }: { points: ChartPoint[]; axis: XAxis }) {
  const [hover, setHover] = useState<string | null>(null);
  const known = points.filter((p) => p.y !== null);
  const hasNa = known.length < points.length;
  const plotBottom = H - M.bottom - (hasNa ? NA_BAND : 0);
  // 8 % headroom so the largest point's bubble is not cut by the plot edge
  const xd = niceDomain(0, (extent(points.map((p) => p.x))?.[1] ?? 1) * 1.08);
  const yr = extent(known.map((p) => p.y!)) ?? [0, 0.1];
  const yd = niceDomain(Math.min(0, yr[0]), yr[1] * 1.08);
  const x = linearScale(xd, [M.left, W - M.right]);
  const y = linearScale(yd, [plotBottom, M.top]);
  const cy = (p: ChartPoint) => (p.y === null ? plotBottom + NA_BAND / 2 + 6 : y(p.y));
  const sizes = points.map((p) => p.size);
  const front = points.filter((p) => p.pareto).sort((a, b) => a.x - b.x);
  const hovered = points.find((p) => p.row.id === hover) ?? null;

  return (
    <figure className="compare-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`dev WER against ${AXIS_TITLE[axis]}`} data-testid="compare-chart">
        <g className="axis">
          {niceTicks(xd[0], xd[1]).map((t) => (
            <g key={`x${t}`}>
              <line className="grid" x1={x(t)} x2={x(t)} y1={M.top} y2={H - M.bottom} />
              <text x={x(t)} y={H - M.bottom + 16} textAnchor="middle">{t}</text>
            </g>
          ))}
          {known.length > 0 &&
            niceTicks(yd[0], yd[1]).map((t) => (
              <g key={`y${t}`}>
                <line className="grid" x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} />
                <text x={M.left - 6} y={y(t) + 4} textAnchor="end">{`${Number((t * 100).toFixed(1))} %`}</text>
              </g>
            ))}
          {hasNa && (
            <text x={M.left - 6} y={plotBottom + NA_BAND / 2 + 10} textAnchor="end">n/a</text>
          )}
          {known.length === 0 && (
            <text className="chart-empty" x={(M.left + W - M.right) / 2} y={(M.top + plotBottom) / 2} textAnchor="middle">
              The manifest has no dev WER yet: levels are drawn on the n/a band.
            </text>
          )}
          <line className="axis-line" x1={M.left} x2={W - M.right} y1={H - M.bottom} y2={H - M.bottom} />
          <line className="axis-line" x1={M.left} x2={M.left} y1={M.top} y2={H - M.bottom} />
          <text className="axis-title" x={(M.left + W - M.right) / 2} y={H - 8} textAnchor="middle">{AXIS_TITLE[axis]}</text>
          <text className="axis-title" transform={`translate(14 ${(M.top + plotBottom) / 2}) rotate(-90)`} textAnchor="middle">
            dev WER (model card)
          </text>
        </g>
        {front.length > 1 && (
          <polyline className="pareto-line" data-testid="pareto-line" points={front.map((p) => `${x(p.x)},${cy(p)}`).join(' ')} />
        )}
        {points.map((p) => (
          <g
            key={p.row.id}
            className={`point${p.pareto ? ' is-pareto' : ''}${p.y === null ? ' is-na' : ''}`}
            data-testid="chart-point"
            data-level={p.row.id}
            data-pareto={p.pareto}
            tabIndex={0}
            role="img"
            aria-label={tooltipLines(p).join(', ')}
            onMouseEnter={() => setHover(p.row.id)}
            onMouseLeave={() => setHover(null)}
            onFocus={() => setHover(p.row.id)}
            onBlur={() => setHover(null)}
          >
            <circle cx={x(p.x)} cy={cy(p)} r={bubbleRadius(p.size, sizes)} />
            <text x={x(p.x)} y={cy(p) - bubbleRadius(p.size, sizes) - 4} textAnchor="middle">{p.row.id}</text>
          </g>
        ))}
      </svg>
      {hovered && (
        <div
          className="chart-tooltip"
          role="tooltip"
          data-testid="chart-tooltip"
          style={{ left: `${(x(hovered.x) / W) * 100}%`, top: `${(cy(hovered) / H) * 100}%` }}
        >
          {tooltipLines(hovered).map((l) => (
            <div key={l}>{l}</div>
          ))}
        </div>
      )}
      <figcaption>
        Bubble area: {axis === 'latency' ? 'download size' : 'measured latency'}. Highlighted and joined: the Pareto front
        (no other level is both {axis === 'latency' ? 'faster' : 'smaller'} and more accurate).
      </figcaption>
    </figure>
  );
}

import { sparklinePoints } from '../sparkline';

const W = 240;
const H = 40;

/** Compute time of the most recent chunks; the dashed line marks real time (160 ms of audio per chunk). */
export function Sparkline({ values, label }: { values: readonly number[]; label: string }) {
  const { points, realtimeY } = sparklinePoints(values.slice(-120), W, H, 160);
  return (
    <figure className="sparkline">
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={label}>
        {realtimeY !== null && <line x1={0} x2={W} y1={realtimeY} y2={realtimeY} className="realtime" />}
        {points && <polyline points={points} />}
      </svg>
      <figcaption>{label}</figcaption>
    </figure>
  );
}

// Canary throughput and replication lag over the drill, one bar per second:
// acknowledged by the old primary (blue), by the new one (green), failed
// (red, stacked on top). Seconds with no acknowledgement are shaded as the
// outage; dashed lines mark the disaster and the first canary the new primary
// acknowledged. Plain SVG that scales with its box and prints.
import type { CanarySecond } from '@/lib/drill/types';
import { canaryChartModel } from '@/lib/drill-view/canary-chart-model';

const W = 720;
const H = 220;
const PAD = { left: 40, right: 44, top: 16, bottom: 28 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;

export function CanaryChart({ series, disasterAt, firstNewAckAt }: { series: CanarySecond[]; disasterAt?: string | null; firstNewAckAt?: string | null }) {
  const m = canaryChartModel(series, { disasterAt, firstNewAckAt });
  const x = (t: number) => PAD.left + (t / m.span) * PLOT_W;
  const yRate = (v: number) => PAD.top + PLOT_H - (v / m.maxRate) * PLOT_H;
  const yLag = (v: number) => PAD.top + PLOT_H - (v / m.maxLag) * PLOT_H;
  const barW = (b: { width: number }) => Math.max(1, (b.width / m.span) * PLOT_W - 1);
  const lagPoints = m.bars.filter((b) => b.lagWals !== null).map((b) => `${(x(b.t) + barW(b) / 2).toFixed(1)},${yLag(b.lagWals!).toFixed(1)}`);
  const outageSeconds = m.outages.reduce((n, o) => n + (o.to - o.from), 0);
  const label =
    series.length === 0
      ? 'Canary throughput and lag: no canaries written yet'
      : `Canary throughput and lag over ${m.span} s: up to ${m.maxRate} canaries/s, ${outageSeconds} s with none acknowledged, lag up to ${m.maxLag} WALs`;
  const ticks = Array.from(new Set([0, Math.round(m.span / 4), Math.round(m.span / 2), Math.round((3 * m.span) / 4), m.span]));

  return (
    <figure className="break-inside-avoid">
      <svg role="img" aria-label={label} viewBox={`0 0 ${W} ${H}`} className="h-auto w-full" data-testid="canary-chart">
        {m.outages.map((o) => (
          <rect key={o.from} x={x(o.from)} y={PAD.top} width={Math.max(1, x(o.to) - x(o.from))} height={PLOT_H} fill="#fee2e2" data-testid="outage-span" />
        ))}
        <line x1={PAD.left} y1={PAD.top + PLOT_H} x2={PAD.left + PLOT_W} y2={PAD.top + PLOT_H} stroke="#9ca3af" />
        <line x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={PAD.top + PLOT_H} stroke="#9ca3af" />
        <text x={PAD.left - 6} y={PAD.top + 4} textAnchor="end" fontSize="11" fill="#4b5563">
          {m.maxRate}
        </text>
        <text x={PAD.left - 6} y={PAD.top + PLOT_H} textAnchor="end" fontSize="11" fill="#4b5563">
          0
        </text>
        <text x={PAD.left + PLOT_W + 6} y={PAD.top + 4} fontSize="11" fill="#b45309">
          {m.maxLag}
        </text>
        {ticks.map((t) => (
          <text key={t} x={x(t)} y={H - 8} textAnchor="middle" fontSize="11" fill="#4b5563">
            {t}s
          </text>
        ))}
        {m.bars.map((b) => {
          const old = yRate(0) - yRate(b.ackedByOld);
          const neu = yRate(0) - yRate(b.ackedByNew);
          const bad = yRate(0) - yRate(b.failed);
          const base = PAD.top + PLOT_H;
          return (
            <g key={b.t}>
              <rect x={x(b.t)} y={base - old} width={barW(b)} height={old} fill="#1563ff" />
              <rect x={x(b.t)} y={base - old - neu} width={barW(b)} height={neu} fill="#14a35b" />
              <rect x={x(b.t)} y={base - old - neu - bad} width={barW(b)} height={bad} fill="#c62b2b" />
            </g>
          );
        })}
        {lagPoints.length > 1 ? <polyline points={lagPoints.join(' ')} fill="none" stroke="#d97706" strokeWidth="2" strokeLinejoin="round" /> : null}
        {m.disasterT !== null ? <Mark x={x(m.disasterT)} color="#c62b2b" text="disaster" /> : null}
        {m.recoveredT !== null ? <Mark x={x(m.recoveredT)} color="#14a35b" text="new primary acks" below /> : null}
      </svg>
      <figcaption className="mt-2 flex flex-wrap gap-x-5 gap-y-1 text-xs text-gray-700">
        <Legend color="bg-brand" text={`acknowledged by the old primary (canaries/s${m.bars[0]?.width > 1 ? `, ${m.bars[0].width} s average` : ''})`} />
        <Legend color="bg-ok" text="acknowledged by the new primary" />
        <Legend color="bg-danger" text="failed writes" />
        <Legend color="bg-amber-600" text="lag (WALs, right axis)" />
        <Legend color="bg-red-100 ring-1 ring-red-200" text="outage: nothing acknowledged for 2 s or more" />
      </figcaption>
    </figure>
  );
}

function Mark({ x, color, text, below }: { x: number; color: string; text: string; below?: boolean }) {
  return (
    <g>
      <line x1={x} y1={PAD.top} x2={x} y2={PAD.top + PLOT_H} stroke={color} strokeWidth="1.5" strokeDasharray="4 3" />
      <text x={x + 4} y={below ? PAD.top + 26 : PAD.top + 10} fontSize="11" fontWeight="600" fill={color}>
        {text}
      </text>
    </g>
  );
}

function Legend({ color, text }: { color: string; text: string }) {
  return (
    <span className="inline-flex items-center gap-1.5">
      <span aria-hidden="true" className={`inline-block h-2.5 w-2.5 rounded-sm ${color}`} />
      {text}
    </span>
  );
}

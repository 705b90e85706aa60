// What the canary chart draws, computed apart from the SVG so it can be
// tested: the bars (seconds binned so a ten-minute drill stays readable), the
// scales, the outage spans (at least MIN_OUTAGE_S seconds in a row in which no
// canary was acknowledged: a lone silent second is a slow write on a busy
// box, not an outage) and where the disaster and the recovery fall.
import type { CanarySecond } from '@/lib/drill/types';

export interface OutageSpan {
  /** Seconds since the canaries started, inclusive start and exclusive end. */
  from: number;
  to: number;
}

/** At most this many bars: longer drills bin several seconds into one. */
export const MAX_BARS = 150;
export const MIN_OUTAGE_S = 2;

/** One bar: per-second averages over `width` seconds from `t`. */
export interface CanaryBar {
  t: number;
  width: number;
  ackedByOld: number;
  ackedByNew: number;
  failed: number;
  lagWals: number | null;
}

export interface CanaryChartModel {
  /** Seconds on the x axis (at least 1). */
  span: number;
  bars: CanaryBar[];
  maxRate: number;
  maxLag: number;
  outages: OutageSpan[];
  disasterT: number | null;
  recoveredT: number | null;
}

function secondsAfterStart(series: CanarySecond[], iso: string | null | undefined): number | null {
  if (!iso || series.length === 0) return null;
  const at = Date.parse(iso);
  const first = Date.parse(series[0].at);
  if (!Number.isFinite(at) || !Number.isFinite(first)) return null;
  return Math.max(0, series[0].t + (at - first) / 1000);
}

export function canaryChartModel(series: CanarySecond[], marks: { disasterAt?: string | null; firstNewAckAt?: string | null } = {}): CanaryChartModel {
  const span = Math.max(1, series.length ? series[series.length - 1].t + 1 : 1);
  const outages: OutageSpan[] = [];
  for (const s of series) {
    if (s.acked > 0) continue;
    const prev = outages[outages.length - 1];
    if (prev && prev.to === s.t) prev.to = s.t + 1;
    else outages.push({ from: s.t, to: s.t + 1 });
  }
  const width = Math.max(1, Math.ceil(span / MAX_BARS));
  const bins = new Map<number, CanarySecond[]>();
  for (const s of series) {
    const k = Math.floor(s.t / width) * width;
    bins.set(k, [...(bins.get(k) ?? []), s]);
  }
  const bars: CanaryBar[] = [...bins.entries()].map(([t, ss]) => {
    const lags = ss.map((s) => s.lagWals).filter((l): l is number => l !== null);
    const avg = (f: (s: CanarySecond) => number) => ss.reduce((n, s) => n + f(s), 0) / width;
    return { t, width, ackedByOld: avg((s) => s.ackedByOld), ackedByNew: avg((s) => s.ackedByNew), failed: avg((s) => s.failed), lagWals: lags.length ? Math.max(...lags) : null };
  });
  return {
    span,
    bars,
    maxRate: Math.max(1, ...bars.map((b) => Math.ceil(b.ackedByOld + b.ackedByNew + b.failed))),
    maxLag: Math.max(1, ...series.map((s) => s.lagWals ?? 0)),
    outages: outages.filter((o) => o.to - o.from >= MIN_OUTAGE_S),
    disasterT: secondsAfterStart(series, marks.disasterAt),
    recoveredT: secondsAfterStart(series, marks.firstNewAckAt),
  };
}

// What the canary chart draws, computed apart from the SVG so it can be
// tested: the scales, the outage spans (seconds in which no canary was
// acknowledged after the writes had started) and where the disaster and the
// recovery fall on the time axis.
import type { CanarySecond } from '@/lib/drill/types';

export interface OutageSpan {
  /** Seconds since the canaries started, inclusive start and exclusive end. */
  from: number;
  to: number;
}

export interface CanaryChartModel {
  /** Seconds on the x axis (at least 1). */
  span: number;
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
  const last = series.length ? series[series.length - 1].t + 1 : 1;
  const outages: OutageSpan[] = [];
  for (const s of series) {
    if (s.acked > 0) continue;
    const prev = outages[outages.length - 1];
    if (prev && prev.to === s.t) prev.to = s.t + 1;
    else outages.push({ from: s.t, to: s.t + 1 });
  }
  return {
    span: Math.max(1, last),
    maxRate: Math.max(1, ...series.map((s) => s.acked + s.failed)),
    maxLag: Math.max(1, ...series.map((s) => s.lagWals ?? 0)),
    outages,
    disasterT: secondsAfterStart(series, marks.disasterAt),
    recoveredT: secondsAfterStart(series, marks.firstNewAckAt),
  };
}

// The JSON body of Vault's `GET /v1/sys/metrics` (go-metrics InmemSink
// DisplayMetrics): gauges keep their last value; counters and samples keep an
// aggregate (count, sum, min, max, mean, stddev, rate).
//
// Deliberate difference from Vault: Vault's InmemSink reports only the last
// finished 10-second interval, so a counter bumped once vanishes from the JSON
// 10–20 s later. Coffer aggregates since process start (or reset()), so an
// event stays visible; `Rate` is Sum per second over that whole window, and
// `Timestamp` is when the view was rendered. Prometheus output is unaffected.

export type Labels = Record<string, string>;

export interface VaultGauge {
  Name: string;
  Value: number;
  Labels: Labels;
}

/** go-metrics SampledValue as JSON (SumSq and LastUpdated are hidden there too). */
export interface VaultSampled {
  Name: string;
  Count: number;
  Rate: number;
  Sum: number;
  Min: number;
  Max: number;
  Mean: number;
  Stddev: number;
  Labels: Labels;
}

/** go-metrics MetricsSummary, fields in Go's declaration order. */
export interface VaultMetricsJson {
  Timestamp: string;
  Gauges: VaultGauge[];
  Points: { Name: string; Points: number[] }[];
  Counters: VaultSampled[];
  Samples: VaultSampled[];
}

interface Aggregate {
  name: string;
  labels: Labels;
  count: number;
  sum: number;
  sumSq: number;
  min: number;
  max: number;
}

/** go-metrics keys a series as `name;k=v;…` and sorts output by it; label names sorted here so the key is stable. */
function seriesKey(name: string, labels: Labels): string {
  let key = name;
  for (const k of Object.keys(labels).sort()) key += `;${k}=${labels[k]}`;
  return key;
}

/** Go's time.Time.Round(time.Second).UTC().String(): `2026-11-22 03:00:00 +0000 UTC`. */
export function goTimestamp(at: Date): string {
  const rounded = new Date(Math.round(at.getTime() / 1000) * 1000);
  return `${rounded.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

/** go-metrics AggregateSample.Stddev: sample deviation, 0 below two samples. */
function stddev(a: Aggregate): number {
  const div = a.count * (a.count - 1);
  if (div === 0) return 0;
  return Math.sqrt(Math.max(0, a.count * a.sumSq - a.sum * a.sum) / div);
}

function ingest(into: Map<string, Aggregate>, name: string, value: number, labels: Labels): void {
  const key = seriesKey(name, labels);
  let a = into.get(key);
  if (!a) {
    a = { name, labels: { ...labels }, count: 0, sum: 0, sumSq: 0, min: value, max: value };
    into.set(key, a);
  }
  a.count++;
  a.sum += value;
  a.sumSq += value * value;
  a.min = Math.min(a.min, value);
  a.max = Math.max(a.max, value);
}

export class VaultJsonView {
  private since = Date.now();
  private readonly gauges = new Map<string, VaultGauge>();
  private readonly counters = new Map<string, Aggregate>();
  private readonly samples = new Map<string, Aggregate>();

  setGauge(name: string, value: number, labels: Labels): void {
    this.gauges.set(seriesKey(name, labels), { Name: name, Value: value, Labels: { ...labels } });
  }

  incr(name: string, by: number, labels: Labels): void {
    ingest(this.counters, name, by, labels);
  }

  addSample(name: string, value: number, labels: Labels): void {
    ingest(this.samples, name, value, labels);
  }

  render(now = new Date()): VaultMetricsJson {
    const seconds = Math.max((now.getTime() - this.since) / 1000, 1);
    const sampled = (m: Map<string, Aggregate>): VaultSampled[] =>
      sortedByKey(m).map((a) => ({
        Name: a.name,
        Count: a.count,
        Rate: a.sum / seconds,
        Sum: a.sum,
        Min: a.min,
        Max: a.max,
        Mean: a.count ? a.sum / a.count : 0,
        Stddev: stddev(a),
        Labels: { ...a.labels },
      }));
    return {
      Timestamp: goTimestamp(now),
      Gauges: sortedByKey(this.gauges).map((g) => ({ ...g, Labels: { ...g.Labels } })),
      Points: [],
      Counters: sampled(this.counters),
      Samples: sampled(this.samples),
    };
  }

  reset(): void {
    this.since = Date.now();
    this.gauges.clear();
    this.counters.clear();
    this.samples.clear();
  }
}

function sortedByKey<V>(m: Map<string, V>): V[] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

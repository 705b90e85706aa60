import { Counter, Gauge, Registry, Summary } from 'prom-client';
import { VaultJsonView, type Labels, type VaultMetricsJson } from './vault-json';

export type { VaultMetricsJson, VaultGauge, VaultSampled } from './vault-json';

// One metrics registry per process (one process = one Coffer node), named the
// way Vault names them so existing dashboards and runbooks keep working.
//
// Name mapping, the same for every metric:
//   JSON (`GET sys/metrics`)         the Vault name, e.g. `vault.logshipper.streamWALs.missing_guard`
//   Prometheus (`?format=prometheus`) dots → underscores, case kept, as Vault's sink does:
//                                    `vault_logshipper_streamWALs_missing_guard`; its HELP line
//                                    starts with the dotted Vault name, so grepping either
//                                    spelling finds it in either output.
// Docs sometimes drop the `vault.` prefix (`logshipper.streamWALs.missing_guard`,
// `replication.fetchRemoteKeys`); that is a substring of the full name, so it is found too.
// `aliases` are spellings seen in the wild that are not substrings of the Vault name
// (`vault.wal_persistwals`, `wal.gc.total`); each alias is a second full metric in BOTH
// outputs, fed by the same calls, so it reports identical data.

type MetricType = 'counter' | 'gauge' | 'summary';

interface MetricDef {
  name: string;
  type: MetricType;
  help: string;
  aliases?: readonly string[];
  labels?: readonly string[];
}

const MODE = ['mode'] as const; // 'performance' | 'dr'

/** Every metric Coffer emits. Summaries are milliseconds unless the help says otherwise. */
export const METRICS = [
  // Log shipper (primary side of WAL streaming)
  { name: 'vault.logshipper.streamWALs.missing_guard', type: 'counter', help: 'stream start index not found in the shipper buffer; the secondary falls back to Merkle sync' },
  { name: 'vault.logshipper.streamWALs.guard_found', type: 'counter', help: 'stream start index found in the shipper buffer; WAL streaming resumes' },
  { name: 'vault.logshipper.streamWALs.scanned_entries', type: 'summary', help: 'buffer entries scanned to find the stream start point (count)' },
  { name: 'vault.logshipper.buffer.length', type: 'gauge', help: 'WAL entries in the shipper buffer' },
  { name: 'vault.logshipper.buffer.size', type: 'gauge', help: 'bytes in the shipper buffer' },
  { name: 'vault.logshipper.buffer.max_length', type: 'gauge', help: 'shipper buffer cap in entries' },
  { name: 'vault.logshipper.buffer.max_size', type: 'gauge', help: 'shipper buffer cap in bytes' },

  // Replication engine
  { name: 'vault.replication.fetchRemoteKeys', type: 'summary', help: 'time to fetch keys from the primary during Merkle sync (ms)' },
  { name: 'vault.replication.merkleDiff', type: 'summary', help: 'time to diff Merkle trees with the primary (ms)' },
  { name: 'vault.replication.merkleSync', type: 'summary', help: 'time to sync the differing Merkle pages (ms)' },
  { name: 'vault.replication.wal.gc', type: 'summary', help: 'time of one WAL garbage-collection pass (ms)' },
  { name: 'vault.replication.wal.last_wal', type: 'gauge', help: 'latest WAL index written' },
  { name: 'vault.replication.wal.last_dr_wal', type: 'gauge', help: 'latest WAL index shipped to DR secondaries' },
  { name: 'vault.replication.wal.last_performance_wal', type: 'gauge', help: 'latest WAL index shipped to performance secondaries' },
  { name: 'vault.replication.fsm.last_remote_wal', type: 'gauge', help: 'last WAL index applied from upstream' },
  { name: 'vault.replication.fsm.last_upstream_remote_wal', type: 'gauge', help: 'last WAL index received from upstream' },
  { name: 'vault.replication.merkle.commit_index', type: 'gauge', help: 'last committed Merkle index' },
  { name: 'vault.replication.rpc.server.last_heartbeat', type: 'gauge', help: 'last heartbeat from a peer cluster (epoch seconds)' },
  { name: 'vault.replication.lag_ms', type: 'gauge', help: 'WAL replication lag behind the primary (ms)', labels: MODE },
  { name: 'vault.replication.clock_skew_ms', type: 'gauge', help: 'clock skew against the peer cluster (ms)', labels: MODE },
  { name: 'vault.replication.heartbeat_age_ms', type: 'gauge', help: 'time since the last heartbeat from the peer cluster (ms)', labels: MODE },
  { name: 'vault.replication.rpc.server.echo', type: 'summary', help: 'primary-side handling of a heartbeat echo (ms)' },
  { name: 'vault.replication.rpc.server.stream_wals_request', type: 'summary', help: 'primary-side handling of a WAL stream request (ms)' },
  { name: 'vault.replication.rpc.server.forwarding_request', type: 'summary', help: 'primary-side handling of a forwarded request (ms)' },
  { name: 'vault.replication.rpc.client.stream_wals', type: 'summary', help: 'secondary-side WAL stream call (ms)' },
  { name: 'vault.replication.rpc.client.fetch_keys', type: 'summary', help: 'secondary-side key fetch call (ms)' },
  { name: 'vault.replication.rpc.client.forward', type: 'summary', help: 'secondary-side request forwarding call (ms)' },
  { name: 'vault.replication.rpc.dr.server.echo', type: 'summary', help: 'DR heartbeat echo handling (ms)' },
  { name: 'vault.replication.rpc.dr.server.fetch_keys_request', type: 'summary', help: 'DR key fetch handling (ms)' },

  // WAL persistence
  { name: 'vault.wal.persistWALs', type: 'summary', help: 'time to persist WAL entries (ms)', aliases: ['vault.wal_persistwals'] },
  { name: 'vault.wal.flushReady', type: 'summary', help: 'time to flush ready WAL entries (ms)', aliases: ['vault.wal_flushready'] },
  { name: 'vault.wal.flushReady.queue_len', type: 'summary', help: 'WAL write queue length at flush (count)' },
  { name: 'vault.wal.loadWAL', type: 'summary', help: 'time to load a WAL entry (ms)' },
  { name: 'vault.wal.deleteWALs', type: 'summary', help: 'time to delete WAL entries (ms)' },
  { name: 'vault.wal.gc.total', type: 'gauge', help: 'WAL entries on disk at the last GC', aliases: ['wal.gc.total'] },
  { name: 'vault.wal.gc.deleted', type: 'gauge', help: 'WAL entries deleted by the last GC', aliases: ['wal.gc.deleted'] },

  // Merkle tree upkeep
  { name: 'vault.merkle.flushDirty', type: 'summary', help: 'time to flush dirty Merkle pages (ms)' },
  { name: 'vault.merkle.saveCheckpoint', type: 'summary', help: 'time to save a Merkle checkpoint (ms)' },

  // Core
  { name: 'vault.core.handle_request', type: 'summary', help: 'time to handle an API request (ms)' },
  { name: 'vault.core.replication.performance.primary', type: 'gauge', help: '1 if this cluster is a performance primary' },
  { name: 'vault.core.replication.performance.secondary', type: 'gauge', help: '1 if this cluster is a performance secondary' },
  { name: 'vault.core.replication.dr.primary', type: 'gauge', help: '1 if this cluster is a DR primary' },
  { name: 'vault.core.replication.dr.secondary', type: 'gauge', help: '1 if this cluster is a DR secondary' },
  { name: 'vault.core.performance_standby', type: 'gauge', help: '1 if this node is a performance standby' },
  { name: 'vault.core.replication.reindex_stage', type: 'gauge', help: 'reindex stage: 0 none, 1 scanning, 2 building, 3 WAL replay, 4 commit' },
  { name: 'vault.core.replication.build_progress', type: 'gauge', help: 'keys inserted into the new Merkle tree during reindex' },
  { name: 'vault.core.replication.build_total', type: 'gauge', help: 'keys to insert into the new Merkle tree during reindex' },
  { name: 'vault.barrier.get', type: 'summary', help: 'time of a barrier (encrypted storage) read (ms)' },
  { name: 'vault.barrier.put', type: 'summary', help: 'time of a barrier (encrypted storage) write (ms)' },
] as const satisfies readonly MetricDef[];

type Def = (typeof METRICS)[number];
export type MetricName = Def['name'];
export type CounterName = Extract<Def, { type: 'counter' }>['name'];
export type GaugeName = Extract<Def, { type: 'gauge' }>['name'];
export type SummaryName = Extract<Def, { type: 'summary' }>['name'];
type LabelNameOf<N extends MetricName> =
  Extract<Def, { name: N }> extends { labels: readonly (infer L extends string)[] } ? L : never;
/** Trailing label argument: required exactly when the metric declares labels. */
export type LabelArgs<N extends MetricName> = [LabelNameOf<N>] extends [never] ? [] : [labels: Record<LabelNameOf<N>, string>];

export const SUMMARY_PERCENTILES = [0.5, 0.9, 0.99];
export const SUMMARY_MAX_AGE_SECONDS = 600;
export const SUMMARY_AGE_BUCKETS = 5;

/** Vault's Prometheus sink: dots become underscores, case is kept. */
export const prometheusName = (vaultName: string): string => vaultName.replace(/\./g, '_');

/** The Vault name followed by its aliases: every name the metric is reported under. */
export const namesOf = (def: MetricDef): string[] => [def.name, ...(def.aliases ?? [])];

type PromMetric = Counter<string> | Gauge<string> | Summary<string>;

interface State {
  registry: Registry;
  json: VaultJsonView;
  byName: Map<string, { def: MetricDef; prom: PromMetric[] }>;
}

function build(): State {
  const registry = new Registry();
  const byName = new Map<string, { def: MetricDef; prom: PromMetric[] }>();
  for (const def of METRICS as readonly MetricDef[]) {
    const prom = namesOf(def).map((n): PromMetric => {
      const help = n === def.name ? `${n}: ${def.help}` : `${n}: alias of ${def.name}: ${def.help}`;
      const base = { name: prometheusName(n), help, labelNames: [...(def.labels ?? [])], registers: [registry] };
      if (def.type === 'counter') return new Counter(base);
      if (def.type === 'gauge') return new Gauge(base);
      return new Summary({ ...base, percentiles: SUMMARY_PERCENTILES, maxAgeSeconds: SUMMARY_MAX_AGE_SECONDS, ageBuckets: SUMMARY_AGE_BUCKETS });
    });
    byName.set(def.name, { def, prom });
  }
  return { registry, json: new VaultJsonView(), byName };
}

let state = build();

// Misuse is a programming error (the types already forbid it), so it throws
// instead of silently emitting a mislabelled or wrongly typed series.
function lookup(name: string, type: MetricType, labelArgs: unknown[]): { def: MetricDef; prom: PromMetric[]; labels: Labels } {
  const entry = state.byName.get(name);
  if (!entry) throw new TypeError(`unknown metric ${name}`);
  if (entry.def.type !== type) throw new TypeError(`${name} is a ${entry.def.type}, not a ${type}`);
  const labels = (labelArgs[0] ?? {}) as Labels;
  const want = entry.def.labels ?? [];
  const given = Object.keys(labels);
  if (given.length !== want.length || !want.every((k) => typeof labels[k] === 'string')) {
    throw new TypeError(`${name} takes labels {${want.join(', ')}}, got {${given.join(', ')}}`);
  }
  return { ...entry, labels };
}

function finite(name: string, value: number, what: string): void {
  if (!Number.isFinite(value)) throw new TypeError(`${name}: ${what} must be a finite number, got ${value}`);
}

function observeResolved(m: ReturnType<typeof lookup>, ms: number): void {
  for (const s of m.prom as Summary<string>[]) s.observe(m.labels, ms);
  for (const n of namesOf(m.def)) state.json.addSample(n, ms, m.labels);
}

export const telemetry = {
  /** Add `by` (default 1, never negative) to a counter. */
  incr<N extends CounterName>(name: N, by = 1, ...labels: LabelArgs<N>): void {
    const m = lookup(name, 'counter', labels);
    finite(name, by, 'increment');
    if (by < 0) throw new TypeError(`${name}: a counter cannot decrease (by=${by})`);
    for (const c of m.prom as Counter<string>[]) c.inc(m.labels, by);
    for (const n of namesOf(m.def)) state.json.incr(n, by, m.labels);
  },

  setGauge<N extends GaugeName>(name: N, value: number, ...labels: LabelArgs<N>): void {
    const m = lookup(name, 'gauge', labels);
    finite(name, value, 'value');
    for (const g of m.prom as Gauge<string>[]) g.set(m.labels, value);
    for (const n of namesOf(m.def)) state.json.setGauge(n, value, m.labels);
  },

  /** Record one sample (milliseconds for timing summaries). */
  observe<N extends SummaryName>(name: N, ms: number, ...labels: LabelArgs<N>): void {
    const m = lookup(name, 'summary', labels);
    finite(name, ms, 'sample');
    observeResolved(m, ms);
  },

  /** Time a synchronous fn; records even when it throws. A returned promise is NOT awaited: use timeAsync. */
  time<T, N extends SummaryName = SummaryName>(name: N, fn: () => T, ...labels: LabelArgs<N>): T {
    const m = lookup(name, 'summary', labels); // validate before running fn, so a bad call never masks fn's error
    const start = performance.now();
    try {
      return fn();
    } finally {
      observeResolved(m, performance.now() - start);
    }
  },

  /** Time an async fn until it settles; records even when it rejects. */
  async timeAsync<T, N extends SummaryName = SummaryName>(name: N, fn: () => Promise<T>, ...labels: LabelArgs<N>): Promise<T> {
    const m = lookup(name, 'summary', labels);
    const start = performance.now();
    try {
      return await fn();
    } finally {
      observeResolved(m, performance.now() - start);
    }
  },

  /** Prometheus text exposition format 0.0.4. */
  renderPrometheus(): Promise<string> {
    return state.registry.metrics();
  },

  /** Vault's `GET sys/metrics` JSON body. */
  async renderJson(): Promise<VaultMetricsJson> {
    return state.json.render();
  },

  /** Tests only: forget every value and series. */
  reset(): void {
    state = build();
  },
};

export type Telemetry = typeof telemetry;

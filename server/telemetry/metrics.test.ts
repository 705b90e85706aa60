import { beforeEach, describe, expect, it } from 'vitest';
import { METRICS, namesOf, prometheusName, telemetry, type VaultMetricsJson } from './metrics';

// A Prometheus sample line: name, optional {labels}, value (no timestamps from prom-client).
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|NaN|\+Inf|-Inf)$/;

/** Value of one exact series (`name` or `name{labels}`) in Prometheus text, or undefined. */
function promValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const byName = (list: { Name: string }[], name: string) => list.filter((e) => e.Name === name);

beforeEach(() => telemetry.reset());

describe('metric table', () => {
  it('defines the metrics operators look for, with Vault names and types', () => {
    const types = Object.fromEntries(METRICS.map((m) => [m.name, m.type]));
    expect(types).toMatchObject({
      'vault.logshipper.streamWALs.missing_guard': 'counter',
      'vault.logshipper.streamWALs.guard_found': 'counter',
      'vault.replication.fetchRemoteKeys': 'summary',
      'vault.replication.merkleDiff': 'summary',
      'vault.replication.merkleSync': 'summary',
      'vault.wal.persistWALs': 'summary',
      'vault.wal.flushReady': 'summary',
      'vault.wal.gc.total': 'gauge',
      'vault.wal.gc.deleted': 'gauge',
      'vault.replication.wal.last_wal': 'gauge',
      'vault.replication.wal.last_dr_wal': 'gauge',
      'vault.replication.wal.last_performance_wal': 'gauge',
      'vault.replication.fsm.last_remote_wal': 'gauge',
      'vault.replication.rpc.server.last_heartbeat': 'gauge',
      'vault.replication.lag_ms': 'gauge',
      'vault.replication.clock_skew_ms': 'gauge',
      'vault.replication.heartbeat_age_ms': 'gauge',
      'vault.core.replication.performance.primary': 'gauge',
      'vault.core.replication.performance.secondary': 'gauge',
      'vault.core.replication.dr.primary': 'gauge',
      'vault.core.replication.dr.secondary': 'gauge',
      'vault.core.handle_request': 'summary',
    });
  });

  it('gives every name (aliases included) a distinct, valid Prometheus name', () => {
    const all = METRICS.flatMap((m) => namesOf(m));
    expect(new Set(all).size).toBe(all.length);
    const prom = all.map(prometheusName);
    expect(new Set(prom).size).toBe(prom.length);
    for (const p of prom) expect(p).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
    expect(prometheusName('vault.logshipper.streamWALs.missing_guard')).toBe('vault_logshipper_streamWALs_missing_guard');
  });
});

describe('counters', () => {
  it('show up in JSON as a go-metrics aggregate and in Prometheus with Vault casing', async () => {
    telemetry.incr('vault.logshipper.streamWALs.missing_guard');
    telemetry.incr('vault.logshipper.streamWALs.missing_guard', 2);
    const json = await telemetry.renderJson();
    expect(byName(json.Counters, 'vault.logshipper.streamWALs.missing_guard')).toEqual([
      expect.objectContaining({ Count: 2, Sum: 3, Min: 1, Max: 2, Mean: 1.5, Labels: {} }),
    ]);
    const text = await telemetry.renderPrometheus();
    expect(text).toContain('# TYPE vault_logshipper_streamWALs_missing_guard counter');
    expect(promValue(text, 'vault_logshipper_streamWALs_missing_guard')).toBe(3);
    expect(promValue(text, 'vault_logshipper_streamWALs_guard_found')).toBe(0);
  });

  it('refuse to go down and record nothing when refused', async () => {
    expect(() => telemetry.incr('vault.logshipper.streamWALs.guard_found', -1)).toThrow(/cannot decrease/);
    expect(() => telemetry.incr('vault.logshipper.streamWALs.guard_found', Number.NaN)).toThrow(TypeError);
    expect((await telemetry.renderJson()).Counters).toEqual([]);
  });
});

describe('gauges', () => {
  it('keep the last value, per label set, in both outputs', async () => {
    telemetry.setGauge('vault.replication.lag_ms', 100, { mode: 'dr' });
    telemetry.setGauge('vault.replication.lag_ms', 42, { mode: 'dr' });
    telemetry.setGauge('vault.replication.lag_ms', 7, { mode: 'performance' });
    telemetry.setGauge('vault.core.replication.dr.primary', 1);
    const json = await telemetry.renderJson();
    expect(byName(json.Gauges, 'vault.replication.lag_ms')).toEqual([
      { Name: 'vault.replication.lag_ms', Value: 42, Labels: { mode: 'dr' } },
      { Name: 'vault.replication.lag_ms', Value: 7, Labels: { mode: 'performance' } },
    ]);
    expect(byName(json.Gauges, 'vault.core.replication.dr.primary')).toEqual([
      { Name: 'vault.core.replication.dr.primary', Value: 1, Labels: {} },
    ]);
    const text = await telemetry.renderPrometheus();
    expect(promValue(text, 'vault_replication_lag_ms{mode="dr"}')).toBe(42);
    expect(promValue(text, 'vault_replication_lag_ms{mode="performance"}')).toBe(7);
    expect(promValue(text, 'vault_core_replication_dr_primary')).toBe(1);
    expect(promValue(text, 'vault_core_replication_dr_secondary')).toBe(0);
  });

  it('reject missing, extra or undeclared labels', () => {
    const loose = telemetry.setGauge as (name: string, value: number, labels?: Record<string, string>) => void;
    expect(() => loose('vault.replication.lag_ms', 1)).toThrow(/takes labels \{mode\}/);
    expect(() => loose('vault.replication.lag_ms', 1, { mode: 'dr', cluster: 'x' })).toThrow(TypeError);
    expect(() => loose('vault.wal.gc.total', 1, { mode: 'dr' })).toThrow(TypeError);
    expect(() => loose('vault.no.such.metric', 1)).toThrow(/unknown metric/);
    expect(() => loose('vault.replication.merkleSync', 1)).toThrow(/is a summary, not a gauge/);
  });
});

describe('summaries', () => {
  it('aggregate Count/Sum/Min/Max/Mean/Stddev in JSON and quantiles in Prometheus', async () => {
    for (const ms of [2, 4, 4, 4, 5, 5, 7, 9]) telemetry.observe('vault.replication.merkleDiff', ms);
    const json = await telemetry.renderJson();
    const [s] = byName(json.Samples, 'vault.replication.merkleDiff') as VaultMetricsJson['Samples'];
    expect(s).toMatchObject({ Count: 8, Sum: 40, Min: 2, Max: 9, Mean: 5, Labels: {} });
    expect(s.Stddev).toBeCloseTo(Math.sqrt(32 / 7), 10); // sample deviation, as go-metrics computes it
    const text = await telemetry.renderPrometheus();
    expect(text).toContain('# TYPE vault_replication_merkleDiff summary');
    expect(promValue(text, 'vault_replication_merkleDiff_count')).toBe(8);
    expect(promValue(text, 'vault_replication_merkleDiff_sum')).toBe(40);
    expect(promValue(text, 'vault_replication_merkleDiff{quantile="0.5"}')).toBeCloseTo(4.5, 0);
    expect(promValue(text, 'vault_replication_merkleDiff{quantile="0.99"}')).toBeCloseTo(9, 0);
    expect(promValue(text, 'vault_replication_merkleDiff{quantile="0.9"}')).toBeGreaterThanOrEqual(7);
  });

  it('time() records a sample, returns the value, and records and rethrows when fn throws', async () => {
    expect(telemetry.time('vault.wal.flushReady', () => 'done')).toBe('done');
    const boom = new Error('disk on fire');
    expect(() =>
      telemetry.time('vault.wal.flushReady', () => {
        throw boom;
      }),
    ).toThrow(boom);
    const json = await telemetry.renderJson();
    expect(byName(json.Samples, 'vault.wal.flushReady')[0]).toMatchObject({ Count: 2 });
    expect(promValue(await telemetry.renderPrometheus(), 'vault_wal_flushReady_count')).toBe(2);
  });

  it('timeAsync() measures until the promise settles, and records and rethrows on rejection', async () => {
    const value = await telemetry.timeAsync('vault.replication.merkleSync', async () => {
      await new Promise((r) => setTimeout(r, 30));
      return 7;
    });
    expect(value).toBe(7);
    const boom = new Error('primary went away');
    await expect(telemetry.timeAsync('vault.replication.merkleSync', () => Promise.reject(boom))).rejects.toBe(boom);
    const [s] = byName((await telemetry.renderJson()).Samples, 'vault.replication.merkleSync') as VaultMetricsJson['Samples'];
    expect(s.Count).toBe(2);
    expect(s.Max).toBeGreaterThanOrEqual(25); // milliseconds, not seconds
  });

  it('a bad label set fails before fn runs', () => {
    let ran = false;
    const loose = telemetry.time as (name: string, fn: () => void, labels?: Record<string, string>) => void;
    expect(() => loose('vault.wal.flushReady', () => (ran = true), { mode: 'dr' })).toThrow(TypeError);
    expect(ran).toBe(false);
  });
});

describe('seed spellings', () => {
  // seed 000 lists these as operators remember them; each must be findable in both outputs.
  const SEED = [
    'logshipper.streamWALs.missing_guard',
    'logshipper.streamWALs.guard_found',
    'replication.fetchRemoteKeys',
    'replication.merkleDiff',
    'replication.merkleSync',
    'vault.wal_persistwals',
    'vault.wal_flushready',
    'wal.gc.total',
    'wal.gc.deleted',
  ];

  it('appear in the JSON and the Prometheus text, dotted and underscored', async () => {
    telemetry.incr('vault.logshipper.streamWALs.missing_guard');
    telemetry.incr('vault.logshipper.streamWALs.guard_found');
    telemetry.observe('vault.replication.fetchRemoteKeys', 1);
    telemetry.observe('vault.replication.merkleDiff', 1);
    telemetry.observe('vault.replication.merkleSync', 1);
    telemetry.observe('vault.wal.persistWALs', 1);
    telemetry.observe('vault.wal.flushReady', 1);
    telemetry.setGauge('vault.wal.gc.total', 10);
    telemetry.setGauge('vault.wal.gc.deleted', 3);
    const json = await telemetry.renderJson();
    const jsonNames = [...json.Gauges, ...json.Counters, ...json.Samples].map((e) => e.Name);
    const text = await telemetry.renderPrometheus();
    for (const name of SEED) {
      expect(jsonNames.filter((n) => n === name || n === `vault.${name}`), name).not.toEqual([]);
      expect(text, name).toContain(name); // HELP lines carry the dotted name
      expect(text, name).toContain(prometheusName(name));
    }
  });

  it('aliases report the same data as the Vault name', async () => {
    telemetry.observe('vault.wal.persistWALs', 3);
    telemetry.observe('vault.wal.persistWALs', 5);
    telemetry.setGauge('vault.wal.gc.total', 12);
    const json = await telemetry.renderJson();
    const strip = ({ Name: _n, ...rest }: { Name: string }) => rest;
    const [main] = byName(json.Samples, 'vault.wal.persistWALs');
    const [alias] = byName(json.Samples, 'vault.wal_persistwals');
    expect(alias).toBeDefined();
    expect(strip(alias)).toEqual(strip(main));
    expect(byName(json.Gauges, 'wal.gc.total')).toEqual([{ Name: 'wal.gc.total', Value: 12, Labels: {} }]);
    const text = await telemetry.renderPrometheus();
    expect(promValue(text, 'vault_wal_persistwals_sum')).toBe(8);
    expect(promValue(text, 'vault_wal_persistWALs_sum')).toBe(8);
    expect(promValue(text, 'wal_gc_total')).toBe(12);
    expect(promValue(text, 'vault_wal_gc_total')).toBe(12);
  });
});

describe('output formats', () => {
  it('JSON has the go-metrics MetricsSummary shape', async () => {
    telemetry.incr('vault.logshipper.streamWALs.guard_found');
    telemetry.observe('vault.core.handle_request', 2);
    telemetry.setGauge('vault.replication.wal.last_wal', 99);
    const json = await telemetry.renderJson();
    expect(Object.keys(json)).toEqual(['Timestamp', 'Gauges', 'Points', 'Counters', 'Samples']);
    expect(json.Timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);
    expect(json.Points).toEqual([]);
    expect(Object.keys(json.Gauges[0])).toEqual(['Name', 'Value', 'Labels']);
    const sampledKeys = ['Name', 'Count', 'Rate', 'Sum', 'Min', 'Max', 'Mean', 'Stddev', 'Labels'];
    expect(Object.keys(json.Counters[0])).toEqual(sampledKeys);
    expect(Object.keys(json.Samples[0])).toEqual(sampledKeys);
    // Only what was emitted is listed, as with Vault's in-memory sink.
    expect(json.Gauges.map((g) => g.Name)).toEqual(['vault.replication.wal.last_wal']);
  });

  it('Prometheus text parses: every non-comment line is `name{labels} value`', async () => {
    telemetry.incr('vault.logshipper.streamWALs.missing_guard');
    telemetry.setGauge('vault.replication.clock_skew_ms', -3, { mode: 'performance' });
    telemetry.setGauge('vault.replication.heartbeat_age_ms', 1500, { mode: 'dr' });
    telemetry.observe('vault.barrier.get', 0.25);
    const text = await telemetry.renderPrometheus();
    const lines = text.split('\n').filter((l) => l !== '');
    const typed = new Set<string>();
    for (const line of lines) {
      if (line.startsWith('# HELP ')) continue;
      const t = /^# TYPE (\S+) (counter|gauge|summary)$/.exec(line);
      if (t) {
        typed.add(t[1]);
        continue;
      }
      const m = SAMPLE_LINE.exec(line);
      expect(m, line).not.toBeNull();
      expect(typed.has(m![1].replace(/_(sum|count)$/, '')), line).toBe(true);
    }
    expect(typed.size).toBe(METRICS.flatMap((m) => namesOf(m)).length);
    expect(promValue(text, 'vault_replication_clock_skew_ms{mode="performance"}')).toBe(-3);
  });
});

describe('reset', () => {
  it('forgets every value and series', async () => {
    telemetry.incr('vault.logshipper.streamWALs.missing_guard', 5);
    telemetry.setGauge('vault.replication.lag_ms', 9, { mode: 'dr' });
    telemetry.observe('vault.replication.merkleSync', 4);
    telemetry.reset();
    const json = await telemetry.renderJson();
    expect([json.Gauges, json.Counters, json.Samples]).toEqual([[], [], []]);
    const text = await telemetry.renderPrometheus();
    expect(promValue(text, 'vault_logshipper_streamWALs_missing_guard')).toBe(0);
    expect(promValue(text, 'vault_replication_merkleSync_count')).toBe(0);
    expect(text).not.toContain('vault_replication_lag_ms{');
  });
});

// Compile-time checks (run by `tsc --noEmit`): the API rejects misuse before it runs.
export function typeChecks(): void {
  // @ts-expect-error a gauge is not a counter
  telemetry.incr('vault.wal.gc.total');
  // @ts-expect-error lag_ms needs its mode label
  telemetry.setGauge('vault.replication.lag_ms', 1);
  // @ts-expect-error this gauge has no labels
  telemetry.setGauge('vault.wal.gc.total', 1, { mode: 'dr' });
  // @ts-expect-error aliases are output names, not call names
  telemetry.observe('vault.wal_persistwals', 1);
  telemetry.setGauge('vault.replication.lag_ms', 1, { mode: 'dr' });
}

import { beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../core/core';
import type { Request } from '../core/request';
import { compileRoutes, matchRoute, type RouteContext } from '../core/route';
import { telemetry, type VaultMetricsJson } from './metrics';
import { metricsRoutes, PROMETHEUS_CONTENT_TYPE, readMetrics } from './routes';

// The handler is tested directly; the lead wires the route and teaches sendJson
// to write string bodies under `raw.contentType`.
function ctx(query: Record<string, string> = {}, headers: Record<string, string> = {}): RouteContext<Core> {
  const req: Request = {
    id: 'req-1',
    operation: 'read',
    path: 'sys/metrics',
    data: { ...query },
    query,
    clientToken: 'root',
    headers,
  };
  return { req, params: {}, data: req.data, core: {} as Core };
}

type Raw = { status: number; body: unknown; contentType?: string };
async function raw(c: RouteContext<Core>): Promise<Raw> {
  const res = await readMetrics(c);
  expect(res.raw).toBeDefined();
  return res.raw as Raw;
}

beforeEach(() => telemetry.reset());

describe('sys/metrics route', () => {
  it('is a token-protected read on sys/metrics only', () => {
    const routes = compileRoutes(metricsRoutes);
    const hit = matchRoute(routes, 'sys/metrics');
    expect(hit).not.toBeNull();
    expect(hit!.route.unauthenticated).toBeFalsy();
    expect(Object.keys(hit!.route.ops)).toEqual(['read']);
    expect(matchRoute(routes, 'sys/metrics/extra')).toBeNull();
  });

  it('answers Vault JSON by default, as a bare body', async () => {
    telemetry.incr('vault.logshipper.streamWALs.missing_guard');
    const r = await raw(ctx());
    expect(r.status).toBe(200);
    expect(r.contentType).toBeUndefined();
    const body = r.body as VaultMetricsJson;
    expect(Object.keys(body)).toEqual(['Timestamp', 'Gauges', 'Points', 'Counters', 'Samples']);
    expect(body.Counters.map((c) => c.Name)).toContain('vault.logshipper.streamWALs.missing_guard');
  });

  it('answers Prometheus text for ?format=prometheus', async () => {
    telemetry.setGauge('vault.replication.lag_ms', 250, { mode: 'performance' });
    const r = await raw(ctx({ format: 'prometheus' }));
    expect(r.status).toBe(200);
    expect(r.contentType).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(typeof r.body).toBe('string');
    expect(r.body as string).toContain('vault_replication_lag_ms{mode="performance"} 250');
  });

  it('answers Prometheus text when the Accept header asks for OpenMetrics or prometheus/telemetry', async () => {
    for (const accept of ['application/openmetrics-text; version=1.0.0', 'text/plain, prometheus/telemetry']) {
      const r = await raw(ctx({}, { accept }));
      expect(r.contentType, accept).toBe(PROMETHEUS_CONTENT_TYPE);
    }
  });

  it('rejects an unknown format with 400 text, like Vault', async () => {
    const r = await raw(ctx({ format: 'yaml' }));
    expect(r).toEqual({ status: 400, body: 'metric response format "yaml" unknown', contentType: 'text/plain' });
  });

  it('uses the content type prom-client declares for its output', async () => {
    const { Registry } = await import('prom-client');
    expect(new Registry().contentType).toBe(PROMETHEUS_CONTENT_TYPE);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startConfiguredServer, startDevServer, type ConfiguredServer, type DevServer } from '../support/cluster';
import { converged, pair } from '../support/replication';

// Issue 10 item 6 (mission row 33, DataDog#7819): metrics where monitoring
// needs them. One primary + one DR secondary:
//  - the primary's config has the top-level telemetry stanza with
//    prometheus_retention_time = 0 (Prometheus off, as in Vault) and its
//    listener's telemetry { unauthenticated_metrics_access = true };
//  - the DR secondary is a plain dev server: sys/metrics needs a token there,
//    and the primary's token (replicated to it) is accepted, while every other
//    client path stays refused.
let primary: ConfiguredServer;
let dr: DevServer;
let root = '';

const PROM_CONTENT_TYPE = /^text\/plain; version=0\.0\.4/;

async function raw(addr: string, path: string, token?: string, method = 'GET') {
  const r = await fetch(`${addr}/v1/${path}`, { method, headers: token ? { 'X-Vault-Token': token } : {} });
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
}

beforeAll(async () => {
  [primary, dr] = await Promise.all([
    startConfiguredServer({
      name: 'metrics-primary',
      extraConfig: 'telemetry {\n  prometheus_retention_time = "0s"\n  disable_hostname = true\n}',
      listenerExtra: '  telemetry {\n    unauthenticated_metrics_access = true\n  }',
    }),
    startDevServer(),
  ]);
  const init = await api(primary.addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  root = init.body.root_token;
  await api(primary.addr, 'PUT', 'sys/unseal', { body: { key: init.body.keys[0] } });
  await pair({ addr: primary.addr, token: root }, { addr: dr.addr, token: dr.rootToken }, 'dr', 'metrics-dr');
  await converged(primary.addr, dr.addr, 'dr');
}, 120_000);
afterAll(async () => {
  await Promise.all([primary?.stop(), dr?.stop()]);
});

describe('sys/metrics on a DR secondary', () => {
  it('answers Prometheus text to a valid token, as Vault lets monitoring scrape a DR secondary', async () => {
    const r = await raw(dr.addr, 'sys/metrics?format=prometheus', root);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(PROM_CONTENT_TYPE);
    expect(r.text).toMatch(/^# HELP vault_/m);
    const json = await api(dr.addr, 'GET', 'sys/metrics', { token: root });
    expect(json.status).toBe(200);
    expect(Array.isArray(json.body.Gauges)).toBe(true);
  });

  it('still needs the token there (no unauthenticated_metrics_access on that listener)', async () => {
    expect((await raw(dr.addr, 'sys/metrics?format=prometheus')).status).toBe(403);
    expect((await raw(dr.addr, 'sys/metrics', 'not-a-token')).status).toBe(403);
  });

  it('opens nothing else: the DR secondary still refuses client paths, even with the same token', async () => {
    const r = await api(dr.addr, 'GET', 'auth/token/lookup-self', { token: root });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatch(/DR secondary/);
    expect((await api(dr.addr, 'GET', 'sys/metrics/extra', { token: root })).status).toBe(400);
  });
});

describe("the listener's telemetry { unauthenticated_metrics_access = true }", () => {
  it('serves GET sys/metrics without a token; other methods are 405', async () => {
    const r = await api(primary.addr, 'GET', 'sys/metrics');
    expect(r.status).toBe(200);
    expect(Array.isArray(r.body.Counters)).toBe(true);
    expect((await raw(primary.addr, 'sys/metrics', undefined, 'POST')).status).toBe(405);
    // nothing else became unauthenticated
    expect((await api(primary.addr, 'GET', 'sys/mounts')).status).toBe(403);
  });
});

describe('telemetry { prometheus_retention_time = 0 }', () => {
  it('disables the Prometheus format with Vault\'s 400 "prometheus is not enabled"; JSON still answers', async () => {
    const anon = await raw(primary.addr, 'sys/metrics?format=prometheus');
    expect(anon).toMatchObject({ status: 400, text: 'prometheus is not enabled' });
    expect(anon.type).toMatch(/^text\/plain/);
    expect(await raw(primary.addr, 'sys/metrics?format=prometheus', root)).toMatchObject({ status: 400, text: 'prometheus is not enabled' });
    expect((await api(primary.addr, 'GET', 'sys/metrics', { token: root })).status).toBe(200);
  });
});

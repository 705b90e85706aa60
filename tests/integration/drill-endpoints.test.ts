import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startConfiguredServer, startDevServer, type ConfiguredServer, type DevServer } from '../support/cluster';
import { dataFiles, findNeedles, initAndUnseal, needles } from '../support/disk-scan';

// The server side of DR drills (issue 12): the drill history, the lab control
// endpoint outside a lab, and Vault's sys/config/cors the console relies on
// to call other clusters.
let dev: DevServer;
let root = '';
let noSudo = '';

beforeAll(async () => {
  dev = await startDevServer({ healthTimeoutMs: 120_000 });
  root = dev.rootToken;
  // Every capability on sys/* except sudo.
  await api(dev.addr, 'PUT', 'sys/policies/acl/no-sudo', { token: root, body: { policy: 'path "sys/*" { capabilities = ["create", "read", "update", "delete", "list"] }' } });
  noSudo = (await api(dev.addr, 'POST', 'auth/token/create', { token: root, body: { policies: ['no-sudo'] } })).body.auth.client_token;
}, 180_000);

afterAll(async () => {
  await dev?.kill();
});

const report = (id: string, marker: string) => ({
  id,
  version: 1,
  plan: { kind: 'planned', primary: { name: 'dallas', addr: 'http://a' }, secondary: { name: `dallas-dr-${marker}`, addr: 'http://b' }, others: [], targets: { rpoMs: 0, rtoMs: 5000 } },
  startedAt: '2026-12-02T07:00:00.000Z',
  endedAt: '2026-12-02T07:01:00.000Z',
  outcome: 'passed',
  steps: [{ id: 'preflight', state: 'done' }],
  canaries: { written: 1, acknowledged: 1, ackedByOld: 1, ackedByNew: 0, series: [] },
  rpo: { lost: 0, lostSeqs: [], firstLostAt: null, lastLostAt: null, windowMs: 0, targetMs: 0, met: true, lagAtDisasterWals: 0, lagAtDisasterMs: 0 },
  rto: { disasterAt: null, firstNewAckAt: null, ms: 1234, targetMs: 5000, met: true },
  verifications: [],
  storedOn: null,
});

describe('sys/drills', () => {
  it('sys/drills keeps the report behind the barrier and needs sudo', async () => {
    let s: ConfiguredServer | null = null;
    try {
      s = await startConfiguredServer({ healthTimeoutMs: 120_000 });
      const { rootToken } = await initAndUnseal(s);
      const marker = `drill-marker-${Math.random().toString(36).slice(2)}`;
      const id = '20261202t070000z-abc123';
      expect((await api(s.addr, 'GET', 'sys/drills?list=true', { token: rootToken })).status).toBe(404); // Vault's empty list
      const put = await api(s.addr, 'PUT', `sys/drills/${id}`, { token: rootToken, body: report(id, marker) });
      expect(put.status, JSON.stringify(put.body)).toBe(204);

      const got = await api(s.addr, 'GET', `sys/drills/${id}`, { token: rootToken });
      expect(got.status).toBe(200);
      expect(got.body.data).toMatchObject({ id, outcome: 'passed', plan: { secondary: { name: `dallas-dr-${marker}` } } });
      const list = await api(s.addr, 'LIST', 'sys/drills', { token: rootToken });
      expect(list.body.data.keys).toEqual([id]);
      expect(list.body.data.key_info[id]).toEqual({ kind: 'planned', outcome: 'passed', started_at: '2026-12-02T07:00:00.000Z', primary: 'dallas', secondary: `dallas-dr-${marker}`, rpo_met: true, rto_met: true, rto_ms: 1234, rpo_lost: 0 });

      // Behind the barrier: the report's text is nowhere on disk in the clear.
      expect(findNeedles(dataFiles(s.dataDir), needles('report', marker))).toEqual([]);

      // A report never carries tokens, and its id is the path's.
      expect((await api(s.addr, 'PUT', `sys/drills/${id}`, { token: rootToken, body: { ...report(id, marker), plan: { ...report(id, marker).plan, token: 'hvs.x' } } })).status).toBe(400);
      expect((await api(s.addr, 'PUT', 'sys/drills/other-id', { token: rootToken, body: report(id, marker) })).status).toBe(400);

      expect((await api(s.addr, 'DELETE', `sys/drills/${id}`, { token: rootToken })).status).toBe(204);
      expect((await api(s.addr, 'GET', `sys/drills/${id}`, { token: rootToken })).status).toBe(404);
    } finally {
      await s?.kill();
    }
  }, 180_000);

  it('every sys/drills path needs sudo', async () => {
    const id = 'sudo-check';
    expect((await api(dev.addr, 'PUT', `sys/drills/${id}`, { token: root, body: report(id, 'x') })).status).toBe(204);
    expect((await api(dev.addr, 'GET', `sys/drills/${id}`, { token: noSudo })).status).toBe(403);
    expect((await api(dev.addr, 'LIST', 'sys/drills', { token: noSudo })).status).toBe(403);
    expect((await api(dev.addr, 'PUT', `sys/drills/${id}`, { token: noSudo, body: report(id, 'x') })).status).toBe(403);
    expect((await api(dev.addr, 'DELETE', `sys/drills/${id}`, { token: noSudo })).status).toBe(403);
    expect((await api(dev.addr, 'GET', `sys/drills/${id}`)).status).toBe(403);
  });
});

describe('sys/lab outside a lab', () => {
  it('sys/lab endpoints answer 404 outside the lab (and need sudo before that)', async () => {
    const list = await api(dev.addr, 'LIST', 'sys/lab/clusters', { token: root });
    expect(list.status).toBe(404);
    expect(list.body).toEqual({ errors: [] });
    expect((await api(dev.addr, 'POST', 'sys/lab/clusters/dallas/stop', { token: root })).status).toBe(404);
    expect((await api(dev.addr, 'POST', 'sys/lab/clusters/dallas/start', { token: noSudo })).status).toBe(403);
  });
});

describe('sys/config/cors', () => {
  const ORIGIN = 'http://127.0.0.1:18200';
  const preflight = (origin: string, method = 'POST') =>
    fetch(`${dev.addr}/v1/sys/replication/dr/status`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'x-vault-token' } });

  it("sys/config/cors answers Vault's fields and preflights", async () => {
    expect((await api(dev.addr, 'GET', 'sys/config/cors', { token: root })).body.data).toEqual({ enabled: false });
    // Disabled: a browser's Origin changes nothing.
    const before = await fetch(`${dev.addr}/v1/sys/health`, { headers: { Origin: ORIGIN } });
    expect(before.status).toBe(200);
    expect(before.headers.get('access-control-allow-origin')).toBeNull();

    expect((await api(dev.addr, 'PUT', 'sys/config/cors', { token: root, body: { allowed_headers: 'x-custom-header' } })).status).toBe(400);
    expect((await api(dev.addr, 'PUT', 'sys/config/cors', { token: root, body: { allowed_origins: ['*', ORIGIN] } })).status).toBe(400);
    expect((await api(dev.addr, 'PUT', 'sys/config/cors', { token: root, body: { allowed_origins: `${ORIGIN},http://other.example`, allowed_headers: 'x-custom-header' } })).status).toBe(204);
    const conf = (await api(dev.addr, 'GET', 'sys/config/cors', { token: root })).body.data;
    expect(conf).toMatchObject({ enabled: true, allowed_origins: [ORIGIN, 'http://other.example'] });
    expect(conf.allowed_headers).toEqual(expect.arrayContaining(['Content-Type', 'X-Requested-With', 'X-Vault-Token', 'Authorization', 'X-Vault-Wrap-TTL', 'X-Custom-Header']));

    const ok = await preflight(ORIGIN);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('access-control-allow-methods')).toBe('DELETE,GET,OPTIONS,POST,PUT,LIST');
    expect(ok.headers.get('access-control-allow-headers')).toContain('X-Vault-Token');
    expect(ok.headers.get('access-control-max-age')).toBe('300');
    expect(ok.headers.get('vary')).toBe('Origin');
    expect((await preflight(ORIGIN, 'PATCH')).status).toBe(405);
    const refused = await preflight('http://evil.example');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ errors: ['origin not allowed'] });

    // A real cross-origin call gets the header; the CLI (no Origin) is untouched.
    const read = await fetch(`${dev.addr}/v1/sys/replication/dr/status`, { headers: { Origin: ORIGIN } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect((await api(dev.addr, 'GET', 'sys/health')).status).toBe(200);

    expect((await api(dev.addr, 'GET', 'sys/config/cors', { token: noSudo })).status).toBe(403);
    expect((await api(dev.addr, 'PUT', 'sys/config/cors', { token: noSudo, body: { allowed_origins: '*' } })).status).toBe(403);
    expect((await api(dev.addr, 'DELETE', 'sys/config/cors', { token: root })).status).toBe(204);
    expect((await api(dev.addr, 'GET', 'sys/config/cors', { token: root })).body.data).toEqual({ enabled: false });
    expect((await fetch(`${dev.addr}/v1/sys/health`, { headers: { Origin: 'http://evil.example' } })).status).toBe(200);
  });
});

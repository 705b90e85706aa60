import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, COFFER_BIN, REPO_ROOT, startDevServer, type DevServer } from '../support/cluster';
import { converged, replStatus, waitFor } from '../support/replication';

// Seed 003's performance-replication flow across two real server processes:
// driven once with node-vault (an unmodified Vault client) and once with the
// CLI, verbatim as the seed types it.
const require = createRequire(import.meta.url);
const nodeVault = require('node-vault') as (opts: Record<string, unknown>) => any;
const SUPERUSER = 'path "*" {\n  capabilities = ["create", "read", "update", "delete", "list", "sudo"]\n}\n';

describe('performance replication with node-vault', () => {
  let a: DevServer; // primary ("dallas")
  let b: DevServer; // secondary ("london")
  beforeAll(async () => {
    [a, b] = await Promise.all([startDevServer({ rootToken: 'root-dallas' }), startDevServer({ rootToken: 'root-london' })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('enables a primary, issues a wrapped JWT token, enables the secondary', async () => {
    const va = nodeVault({ endpoint: a.addr, token: a.rootToken });
    await va.addPolicy({ name: 'superuser', rules: SUPERUSER });
    await va.enableAuth({ mount_point: 'userpass', type: 'userpass' });
    await va.write('auth/userpass/users/tester', { password: 'changeme', policies: 'superuser' });
    await va.write('secret/data/before', { data: { v: 'written before replication' } });

    await va.write('sys/replication/performance/primary/enable', {});
    const issued = await va.write('sys/replication/performance/primary/secondary-token', { id: 'london' });
    expect(issued.data).toBeNull();
    const token: string = issued.wrap_info.token;
    expect(token.split('.')).toHaveLength(3); // a JWT, not an hvs. token
    expect(issued.wrap_info.ttl).toBe(1800);

    const vb = nodeVault({ endpoint: b.addr, token: b.rootToken });
    const enabled = await vb.write('sys/replication/performance/secondary/enable', { token });
    expect(enabled.warnings.join(' ')).toMatch(/wiped/);
    await waitFor('stream-wals', async () => (await replStatus(b.addr, 'performance')).state === 'stream-wals');

    const pst = await replStatus(a.addr, 'performance');
    expect(pst).toMatchObject({ mode: 'primary', state: 'running', known_secondaries: ['london'] });
    expect(pst.secondaries[0]).toMatchObject({ node_id: 'london', connection_status: 'connected' });
    const sst = await replStatus(b.addr, 'performance');
    expect(sst).toMatchObject({ mode: 'secondary', connection_state: 'ready', secondary_id: 'london', cluster_id: pst.cluster_id });
    expect(await converged(a.addr, b.addr, 'performance')).toMatch(/^[0-9a-f]{40}$/);
  });

  it("accepts the primary's dev root token on the secondary (seed 003) and serves reads locally", async () => {
    // The secondary's own root token died with its wiped storage.
    expect((await api(b.addr, 'GET', 'auth/token/lookup-self', { token: b.rootToken })).status).toBe(403);
    const vb = nodeVault({ endpoint: b.addr, token: a.rootToken });
    expect((await vb.read('secret/data/before')).data.data).toEqual({ v: 'written before replication' });
    await nodeVault({ endpoint: a.addr, token: a.rootToken }).write('secret/data/after', { data: { v: 'streamed' } });
    await waitFor('the new secret on the secondary', async () => (await api(b.addr, 'GET', 'secret/data/after', { token: a.rootToken })).status === 200);
    expect((await vb.policies()).policies).toContain('superuser');
  });

  it('forwards a write sent to the secondary and answers once it is readable there', async () => {
    const vb = nodeVault({ endpoint: b.addr, token: a.rootToken });
    const w = await vb.write('secret/data/from-london', { data: { v: 'forwarded' } });
    expect(w.data.version).toBe(1);
    // Read-your-writes: readable on the secondary at once, no polling.
    expect((await vb.read('secret/data/from-london')).data.data).toEqual({ v: 'forwarded' });
    expect((await api(a.addr, 'GET', 'secret/data/from-london', { token: a.rootToken })).body.data.data).toEqual({ v: 'forwarded' });
    await converged(a.addr, b.addr, 'performance');
  });

  it('logs userpass users in on the secondary with tokens local to it', async () => {
    const login = await nodeVault({ endpoint: b.addr }).userpassLogin({ username: 'tester', password: 'changeme' });
    const t = login.auth.client_token;
    expect((await api(b.addr, 'GET', 'auth/token/lookup-self', { token: t })).status).toBe(200);
    expect((await api(a.addr, 'GET', 'auth/token/lookup-self', { token: t })).status).toBe(403); // never leaves the secondary
    const tester = nodeVault({ endpoint: b.addr, token: t });
    await tester.write('secret/data/by-tester', { data: { who: 'tester' } }); // forwarded with tester's resolved policies
    expect((await tester.read('secret/data/by-tester')).data.data).toEqual({ who: 'tester' });
    // The primary's tokens never reach the performance secondary.
    const onPrimary = await api(a.addr, 'POST', 'auth/token/create', { token: a.rootToken, body: { policies: ['default'] } });
    await converged(a.addr, b.addr, 'performance');
    expect((await api(b.addr, 'GET', 'auth/token/lookup-self', { token: onPrimary.body.auth.client_token })).status).toBe(403);
  });

  it('refuses new non-local mounts but keeps local mounts through a reconnect', async () => {
    const refused = await api(b.addr, 'POST', 'sys/mounts/shared', { token: a.rootToken, body: { type: 'kv' } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toMatch(/local=true/);
    expect((await api(b.addr, 'POST', 'sys/mounts/london-only', { token: a.rootToken, body: { type: 'kv', local: true } })).status).toBe(204);
    expect((await api(b.addr, 'POST', 'london-only/creds', { token: a.rootToken, body: { pw: 'local' } })).status).toBe(204);

    const before = (await replStatus(b.addr, 'performance')).last_start;
    expect((await api(b.addr, 'POST', 'sys/replication/recover', { token: a.rootToken })).status).toBe(200);
    await nodeVault({ endpoint: a.addr, token: a.rootToken }).write('secret/data/after-reconnect', { data: { v: 1 } });
    await waitFor('the secondary back in stream-wals', async () => {
      const s = await replStatus(b.addr, 'performance');
      return s.state === 'stream-wals' && s.connection_state === 'ready';
    });
    await converged(a.addr, b.addr, 'performance');
    expect(before).toBeTruthy();
    expect((await api(b.addr, 'GET', 'london-only/creds', { token: a.rootToken })).body.data).toEqual({ pw: 'local' });
    expect((await api(a.addr, 'GET', 'london-only/creds', { token: a.rootToken })).status).toBe(404); // never shipped upstream
    expect((await api(b.addr, 'GET', 'secret/data/after-reconnect', { token: a.rootToken })).status).toBe(200);
  });
});

describe('performance replication with the CLI (seed 003 verbatim)', () => {
  let a: DevServer;
  let b: DevServer;
  const home = mkdtempSync(join(tmpdir(), 'coffer-cli-home-'));
  const cli = (addr: string, token: string, args: string[], input?: string) =>
    spawnSync(COFFER_BIN, args, { cwd: REPO_ROOT, input, encoding: 'utf8', env: { ...process.env, HOME: home, VAULT_ADDR: addr, VAULT_TOKEN: token, COFFER_ADDR: '', COFFER_TOKEN: '' } });
  beforeAll(async () => {
    [a, b] = await Promise.all([startDevServer(), startDevServer()]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('runs enable → secondary-token → enable → read status', async () => {
    let r = cli(a.addr, a.rootToken, ['policy', 'write', 'superuser', '-'], SUPERUSER);
    expect(r.status, r.stderr).toBe(0);
    expect(cli(a.addr, a.rootToken, ['auth', 'enable', 'userpass']).status).toBe(0);
    expect(cli(a.addr, a.rootToken, ['write', 'auth/userpass/users/tester', 'password=changeme', 'policies=superuser']).status).toBe(0);

    r = cli(a.addr, a.rootToken, ['write', '-f', 'sys/replication/performance/primary/enable']);
    expect(r.status, r.stderr).toBe(0);
    r = cli(a.addr, a.rootToken, ['write', 'sys/replication/performance/primary/secondary-token', 'id=london']);
    expect(r.status, r.stderr).toBe(0);
    const token = /wrapping_token:\s+(\S+)/.exec(r.stdout)?.[1];
    expect(token, r.stdout).toMatch(/^ey/);
    r = cli(b.addr, b.rootToken, ['write', 'sys/replication/performance/secondary/enable', `token=${token}`]);
    expect(r.status, r.stderr).toBe(0);
    await waitFor('stream-wals', async () => (await replStatus(b.addr, 'performance')).state === 'stream-wals');

    r = cli(b.addr, a.rootToken, ['read', '-format=json', 'sys/replication/status']);
    expect(r.status, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout);
    expect(status.data.performance).toMatchObject({ mode: 'secondary', secondary_id: 'london' });
    expect(status.data.dr).toEqual({ mode: 'disabled' });
    r = cli(a.addr, a.rootToken, ['read', '-format=json', 'sys/replication/performance/status']);
    expect(JSON.parse(r.stdout).data.known_secondaries).toEqual(['london']);

    // Seed 003: log in on the secondary with the replicated userpass user; write through it.
    r = cli(b.addr, '', ['login', '-method=userpass', 'username=tester', 'password=changeme']);
    expect(r.status, r.stderr).toBe(0);
    r = cli(b.addr, '', ['kv', 'put', 'secret/cli-app', 'k=v']);
    expect(r.status, r.stderr).toBe(0);
    r = cli(b.addr, '', ['kv', 'get', '-field=k', 'secret/cli-app']);
    expect(r.stdout.trim()).toBe('v');
    await converged(a.addr, b.addr, 'performance');
  });
});

describe('replication telemetry', () => {
  let a: DevServer;
  let b: DevServer;
  beforeAll(async () => {
    [a, b] = await Promise.all([startDevServer(), startDevServer()]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("exposes seed 000's metric names in JSON and Prometheus formats", async () => {
    await api(a.addr, 'POST', 'secret/data/m', { token: a.rootToken, body: { data: { v: 1 } } });
    const { pair } = await import('../support/replication');
    await pair({ addr: a.addr, token: a.rootToken }, { addr: b.addr, token: b.rootToken }, 'performance', 'metrics-probe');
    await api(a.addr, 'POST', 'secret/data/m', { token: a.rootToken, body: { data: { v: 2 } } });
    await converged(a.addr, b.addr, 'performance');
    await new Promise((r) => setTimeout(r, 1200)); // one sampler tick
    const json = await api(a.addr, 'GET', 'sys/metrics', { token: a.rootToken });
    expect(json.status).toBe(200);
    const names = [...json.body.Counters, ...json.body.Gauges, ...json.body.Samples].map((m: { Name: string }) => m.Name);
    for (const n of ['vault.logshipper.streamWALs.missing_guard', 'vault.replication.fetchRemoteKeys', 'vault.wal.persistWALs', 'vault.wal.flushReady', 'wal.gc.total', 'vault.replication.wal.last_performance_wal'])
      expect(names, n).toContain(n);
    const missing = json.body.Counters.find((c: { Name: string }) => c.Name === 'vault.logshipper.streamWALs.missing_guard');
    expect(missing.Count).toBeGreaterThanOrEqual(1); // the new secondary had to merkle-sync
    const onSecondary = await api(b.addr, 'GET', 'sys/metrics', { token: a.rootToken });
    const sNames = [...onSecondary.body.Samples, ...onSecondary.body.Gauges].map((m: { Name: string }) => m.Name);
    expect(sNames).toContain('vault.replication.merkleDiff');
    expect(sNames).toContain('vault.replication.merkleSync');
    const r = await fetch(`${a.addr}/v1/sys/metrics?format=prometheus`, { headers: { 'X-Vault-Token': a.rootToken } });
    expect(r.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await r.text();
    expect(text).toMatch(/^vault_logshipper_streamWALs_missing_guard(\{[^}]*\})? [1-9]/m);
    expect(text).toContain('vault_wal_persistWALs');
    expect((await api(a.addr, 'GET', 'sys/metrics')).status).toBe(403);
  });
});

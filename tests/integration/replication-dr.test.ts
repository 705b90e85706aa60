import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, COFFER_BIN, REPO_ROOT, startConfiguredServer, startDevServer, type ConfiguredServer, type DevServer } from '../support/cluster';
import { converged, pair, replStatus, secondaryToken, waitFor } from '../support/replication';

// Seed 002's disaster-recovery flow across three real processes: a primary
// (config mode, so it can come back after dying) and two DR secondaries.
// The DR secondaries refuse clients; one is promoted with a batch DR
// operation token made beforehand, the other is re-pointed at it with a DR
// operation token generated from the unseal key and an OTP (via the CLI, as
// the seed types it); the old primary returns undemoted and is fenced.
let a: ConfiguredServer;
let b: DevServer;
let c: DevServer;
let rootA = '';
let keyA = '';
let serviceToken = '';
let batchOpToken = '';
let otpOpToken = '';

const cli = (addr: string, args: string[], input?: string) =>
  spawnSync(COFFER_BIN, args, { cwd: REPO_ROOT, input, encoding: 'utf8', env: { ...process.env, VAULT_ADDR: addr, VAULT_TOKEN: rootA, COFFER_ADDR: '', COFFER_TOKEN: '' } });

beforeAll(async () => {
  [a, b, c] = await Promise.all([startConfiguredServer({ name: 'dallas' }), startDevServer(), startDevServer()]);
  const init = await api(a.addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  rootA = init.body.root_token;
  keyA = init.body.keys[0];
  await api(a.addr, 'PUT', 'sys/unseal', { body: { key: keyA } });
  await api(a.addr, 'POST', 'sys/mounts/secret', { token: rootA, body: { type: 'kv', options: { version: '2' } } });
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
});

describe('DR replication', () => {
  it('sets up two DR secondaries that receive everything, tokens included', async () => {
    await api(a.addr, 'POST', 'secret/data/payroll', { token: rootA, body: { data: { iban: 'DE00 1234' } } });
    serviceToken = (await api(a.addr, 'POST', 'auth/token/create', { token: rootA, body: { policies: ['default'], ttl: '4h' } })).body.auth.client_token;
    // A batch DR operation token, prepared on the primary before any failure (reference §2.4).
    await api(a.addr, 'PUT', 'sys/policies/acl/dr-ops', {
      token: rootA,
      body: { policy: 'path "sys/replication/dr/secondary/promote" { capabilities = ["update"] }\npath "sys/replication/dr/secondary/update-primary" { capabilities = ["update"] }' },
    });
    await api(a.addr, 'POST', 'auth/token/roles/dr-ops', { token: rootA, body: { token_type: 'batch', orphan: true, renewable: false, allowed_policies: 'dr-ops' } });
    const bt = await api(a.addr, 'POST', 'auth/token/create/dr-ops', { token: rootA, body: { ttl: '8h', policies: ['dr-ops'] } });
    batchOpToken = bt.body.auth.client_token;
    expect(batchOpToken).toMatch(/^hvb\./);

    await pair({ addr: a.addr, token: rootA }, { addr: b.addr, token: b.rootToken }, 'dr', 'dr-east');
    await pair({ addr: a.addr, token: rootA }, { addr: c.addr, token: c.rootToken }, 'dr', 'dr-west');
    await converged(a.addr, b.addr, 'dr');
    await converged(a.addr, c.addr, 'dr');
    const st = await replStatus(a.addr, 'dr');
    expect(st.known_secondaries.sort()).toEqual(['dr-east', 'dr-west']);
    expect(st.last_dr_wal).toBeGreaterThan(0);
  });

  it('answers no client request on a DR secondary, not even with the root token', async () => {
    const read = await api(b.addr, 'GET', 'secret/data/payroll', { token: rootA });
    expect(read.status).toBe(400);
    expect(read.body.errors[0]).toMatch(/DR secondary/);
    expect((await api(b.addr, 'GET', 'auth/token/lookup-self', { token: rootA })).status).toBe(400);
    expect((await api(b.addr, 'GET', 'sys/health')).status).toBe(472);
    const health = await api(b.addr, 'GET', 'sys/health?drsecondarycode=200');
    expect(health.body.replication_dr_mode).toBe('secondary');
    expect((await api(b.addr, 'GET', 'sys/seal-status')).status).toBe(200);
    expect((await api(b.addr, 'GET', 'sys/replication/dr/status')).body.data.mode).toBe('secondary');
    const reindex = await api(b.addr, 'POST', 'sys/replication/dr/secondary/reindex', { body: { dr_operation_token: batchOpToken } });
    expect(reindex.status).toBe(400); // the batch token's policy allows promote and update-primary only
    const forged = await api(b.addr, 'POST', 'sys/replication/dr/secondary/promote', { body: { dr_operation_token: 'hvs.not-a-real-token' } });
    expect(forged.status).toBe(400);
    expect((await replStatus(b.addr, 'dr')).mode).toBe('secondary');
  });

  it('builds a DR operation token with the CLI: OTP, the unseal key, decode (seed 002)', async () => {
    let r = cli(c.addr, ['operator', 'generate-root', '-dr-token', '-init']);
    expect(r.status, r.stderr).toBe(0);
    const otp = /OTP\s+(\S+)/.exec(r.stdout)?.[1];
    const nonce = /Nonce\s+(\S+)/.exec(r.stdout)?.[1];
    expect(r.stdout).toMatch(/Progress\s+0\/1/);
    expect(otp).toHaveLength(28);
    r = cli(c.addr, ['operator', 'generate-root', '-dr-token'], `${keyA}\n`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Operation nonce: ${nonce}`);
    expect(r.stdout).toMatch(/Complete\s+true/);
    const encoded = /Encoded Token\s+(\S+)/.exec(r.stdout)?.[1];
    r = cli(c.addr, ['operator', 'generate-root', '-dr-token', `-decode=${encoded}`, `-otp=${otp}`]);
    expect(r.status, r.stderr).toBe(0);
    otpOpToken = r.stdout.trim();
    expect(otpOpToken).toMatch(/^hvs\.[A-Za-z0-9]{24}$/);
  });

  it('promotes a DR secondary after the primary dies; it serves the primary\'s tokens', async () => {
    await a.kill();
    const r = cli(b.addr, ['write', 'sys/replication/dr/secondary/promote', `dr_operation_token=${batchOpToken}`]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('This cluster is being promoted to a replication primary.');
    await waitFor('promotion', async () => (await replStatus(b.addr, 'dr')).mode === 'primary');
    expect((await api(b.addr, 'GET', 'secret/data/payroll', { token: rootA })).body.data.data).toEqual({ iban: 'DE00 1234' });
    const self = await api(b.addr, 'GET', 'auth/token/lookup-self', { token: serviceToken });
    expect(self.status).toBe(200);
    expect((await api(b.addr, 'GET', 'sys/health')).status).toBe(200);
  });

  it('re-points the other DR secondary at the new primary with update-primary, keeping its data', async () => {
    const tok = await secondaryToken(b.addr, rootA, 'dr', 'dr-west');
    const r = await api(c.addr, 'POST', 'sys/replication/dr/secondary/update-primary', { body: { dr_operation_token: otpOpToken, token: tok } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await api(b.addr, 'POST', 'secret/data/after-failover', { token: rootA, body: { data: { v: 1 } } });
    await converged(b.addr, c.addr, 'dr');
    expect((await replStatus(c.addr, 'dr')).epoch).toBe(2);
  });

  it('fences the old primary when it returns undemoted: both statuses say why', async () => {
    a = await a.restart();
    await api(a.addr, 'PUT', 'sys/unseal', { body: { key: keyA } });
    const old = await waitFor('the old primary to notice', async () => {
      const s = await replStatus(a.addr, 'dr');
      return s.superseded_by ? s : null;
    });
    expect(old.state).toBe('idle');
    expect(old.last_error).toMatch(/promoted/);
    const fresh = await waitFor('the new primary to see the stale one', async () => {
      const s = await replStatus(b.addr, 'dr');
      return s.stale_primary_warning ? s : null;
    });
    expect(fresh.stale_primary_warning).toMatch(/demote/);
    // The re-pointed secondary keeps following the new primary.
    expect((await replStatus(c.addr, 'dr')).primary_cluster_addr).toBe(`https://127.0.0.1:${b.port + 1}`);
  });

  it('demotes the old primary and re-joins it to the set under the new primary', async () => {
    const d = await api(a.addr, 'POST', 'sys/replication/dr/primary/demote', { token: rootA });
    expect(d.status, JSON.stringify(d.body)).toBe(200);
    const demoted = await replStatus(a.addr, 'dr');
    expect(demoted).toMatchObject({ mode: 'secondary', state: 'idle' });
    expect((await api(a.addr, 'GET', 'secret/data/payroll', { token: rootA })).status).toBe(400); // read-only now
    const tok = await secondaryToken(b.addr, rootA, 'dr', 'dallas-again');
    const r = await api(a.addr, 'POST', 'sys/replication/dr/secondary/update-primary', { body: { dr_operation_token: batchOpToken, token: tok } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await api(b.addr, 'POST', 'secret/data/after-rejoin', { token: rootA, body: { data: { v: 2 } } });
    await converged(b.addr, a.addr, 'dr');
    await waitFor('the stale warning to clear', async () => !(await replStatus(b.addr, 'dr')).stale_primary_warning);
  });
});

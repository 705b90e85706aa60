import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicationCa, issueClientCert } from '../../server/replication/ca';
import { ALPN, dialCluster } from '../../server/replication/transport';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { enablePrimary, replStatus, secondaryToken, waitFor } from '../support/replication';

// Activation tokens that are forged, expired, reused, revoked or for the
// wrong mode get a clear 400 and wipe nothing; the cluster port refuses
// clients without a certificate from this primary's CA, and revoked ones.
let primary: DevServer;
let target: DevServer; // a would-be secondary that must stay untouched
let other: DevServer;
const keep = { data: { must: 'survive' } };

async function targetIntact() {
  const r = await api(target.addr, 'GET', 'secret/data/keep', { token: target.rootToken });
  expect(r.status).toBe(200);
  expect(r.body.data.data).toEqual(keep.data);
  expect((await replStatus(target.addr, 'performance')).mode).toBe('disabled');
}

async function enableWith(token: string, mode: 'performance' | 'dr' = 'performance') {
  return api(target.addr, 'POST', `sys/replication/${mode}/secondary/enable`, { token: target.rootToken, body: { token } });
}

beforeAll(async () => {
  [primary, target, other] = await Promise.all([startDevServer(), startDevServer(), startDevServer()]);
  await api(target.addr, 'POST', 'secret/data/keep', { token: target.rootToken, body: keep });
  await enablePrimary(primary.addr, primary.rootToken, 'performance');
  await enablePrimary(primary.addr, primary.rootToken, 'dr');
});
afterAll(async () => {
  await Promise.all([primary?.stop(), target?.stop(), other?.stop()]);
});

describe('activation tokens', () => {
  it('refuses a forged token (payload tampered) and wipes nothing', async () => {
    const tok = await secondaryToken(primary.addr, primary.rootToken, 'performance', 'forged');
    const [h, p, s] = tok.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = [h, Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 99999 })).toString('base64url'), s].join('.');
    const r = await enableWith(forged);
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatch(/signature/);
    await targetIntact();
  });

  it('refuses garbage', async () => {
    for (const bad of ['', 'not-a-jwt', 'a.b.c', 'hvs.AAAAAAAAAAAAAAAAAAAAAAAA']) {
      const r = await enableWith(bad);
      expect(r.status, bad).toBe(400);
    }
    await targetIntact();
  });

  it('refuses an expired token', async () => {
    const tok = await secondaryToken(primary.addr, primary.rootToken, 'performance', 'expiring', '1s');
    await new Promise((r) => setTimeout(r, 1500));
    const r = await enableWith(tok);
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatch(/expired/);
    await targetIntact();
  });

  it('refuses a token for the other mode before redeeming it', async () => {
    const tok = await secondaryToken(primary.addr, primary.rootToken, 'dr', 'wrong-mode');
    const r = await enableWith(tok, 'performance');
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatch(/DR replication, not performance/);
    await targetIntact();
  });

  it('refuses a revoked token', async () => {
    const tok = await secondaryToken(primary.addr, primary.rootToken, 'performance', 'revoked-before-use');
    expect((await api(primary.addr, 'POST', 'sys/replication/performance/primary/revoke-secondary', { token: primary.rootToken, body: { id: 'revoked-before-use' } })).status).toBe(200);
    const r = await enableWith(tok);
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatch(/wrapping token is not valid/);
    await targetIntact();
  });

  it('is single use: the second redemption is refused', async () => {
    const tok = await secondaryToken(primary.addr, primary.rootToken, 'performance', 'once');
    const first = await api(other.addr, 'POST', 'sys/replication/performance/secondary/enable', { token: other.rootToken, body: { token: tok } });
    expect(first.status).toBe(200);
    const again = await enableWith(tok);
    expect(again.status).toBe(400);
    expect(again.body.errors[0]).toMatch(/wrapping token is not valid/);
    await targetIntact();
  });

  it('needs sudo to issue tokens', async () => {
    const limited = await api(primary.addr, 'POST', 'auth/token/create', { token: primary.rootToken, body: { policies: ['default'] } });
    const r = await api(primary.addr, 'POST', 'sys/replication/performance/primary/secondary-token', { token: limited.body.auth.client_token, body: { id: 'x' } });
    expect(r.status).toBe(403);
  });
});

describe('the cluster port', () => {
  const clusterAddr = () => `127.0.0.1:${primary.port + 1}`;

  it('refuses a client without a certificate', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: primary.port + 1, rejectUnauthorized: false, ALPNProtocols: [ALPN.perf] });
      s.on('data', () => resolve('data'));
      s.on('error', (e) => resolve(`error: ${e.message}`));
      s.on('close', () => resolve('closed'));
      setTimeout(() => resolve('still open'), 5000);
    });
    expect(outcome).not.toBe('data');
    expect(outcome).not.toBe('still open');
  });

  it('refuses a client whose certificate comes from another CA', async () => {
    const foreign = createReplicationCa('attacker');
    const leaf = issueClientCert(foreign, 'once');
    await expect(dialCluster({ addr: clusterAddr(), caPem: foreign.certPem, certPem: leaf.certPem, keyPem: leaf.keyPem, alpn: ALPN.perf, timeoutMs: 3000 })).rejects.toThrow();
  });

  it('disconnects a revoked secondary and keeps refusing it', async () => {
    await waitFor('"once" streaming', async () => (await replStatus(other.addr, 'performance')).state === 'stream-wals');
    await api(primary.addr, 'POST', 'sys/replication/performance/primary/revoke-secondary', { token: primary.rootToken, body: { id: 'once' } });
    await waitFor('the revoked secondary to lose its connection', async () => (await replStatus(other.addr, 'performance')).connection_state !== 'ready');
    await new Promise((r) => setTimeout(r, 1500)); // it keeps retrying
    const s = await replStatus(other.addr, 'performance');
    expect(s.connection_state).not.toBe('ready');
    expect((await replStatus(primary.addr, 'performance')).known_secondaries).not.toContain('once');
  });

  it('still serves a legitimate secondary after all that', async () => {
    await api(target.addr, 'POST', 'sys/replication/dr/secondary/enable', { token: target.rootToken, body: { token: await secondaryToken(primary.addr, primary.rootToken, 'dr', 'legit') } });
    await waitFor('legit streaming', async () => (await replStatus(target.addr, 'dr')).state === 'stream-wals');
  });
});

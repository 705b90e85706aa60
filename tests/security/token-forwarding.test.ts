import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { converged, pair, replStatus, waitFor } from '../support/replication';

// Issue 7 items 4 and 5 across replication: a performance secondary spends a
// token's use before it forwards the request (so a one-use token forwards one
// write, not five), accepts batch tokens from its primary only when they are
// orphans, and a DR secondary takes a batch DR operation token only while it
// is valid and an orphan.
let a: DevServer; // performance primary
let b: DevServer; // its performance secondary
const WRITER = 'path "secret/data/*" { capabilities = ["create", "update", "read"] }\npath "auth/token/create" { capabilities = ["update"] }';

beforeAll(async () => {
  [a, b] = await Promise.all([startDevServer(), startDevServer()]);
  expect((await api(a.addr, 'PUT', 'sys/policies/acl/writer', { token: a.rootToken, body: { policy: WRITER } })).status).toBe(204);
  await pair({ addr: a.addr, token: a.rootToken }, { addr: b.addr, token: b.rootToken }, 'performance', 'perf-sec');
  await converged(a.addr, b.addr, 'performance');
}, 120_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('tokens on a performance secondary', () => {
  it('a num_uses=1 token forwards exactly one write to the primary', async () => {
    // The primary's dev root token works on the secondary (seed 003); the new token is local to the secondary.
    const made = await api(b.addr, 'POST', 'auth/token/create', { token: a.rootToken, body: { policies: ['writer'], num_uses: 1 } });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const once = made.body.auth.client_token;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const w = await api(b.addr, 'POST', 'secret/data/once', { token: once, body: { data: { attempt: i } } });
      statuses.push(w.status);
    }
    expect(statuses).toEqual([200, 403, 403, 403, 403]);
    const meta = await api(a.addr, 'GET', 'secret/metadata/once', { token: a.rootToken });
    expect(meta.body.data.current_version).toBe(1);
    expect((await api(a.addr, 'GET', 'secret/data/once', { token: a.rootToken })).body.data.data).toEqual({ attempt: 0 });
  });

  it('a num_uses=3 token forwards three writes, then stops', async () => {
    const made = await api(b.addr, 'POST', 'auth/token/create', { token: a.rootToken, body: { policies: ['writer'], num_uses: 3 } });
    const thrice = made.body.auth.client_token;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await api(b.addr, 'POST', 'secret/data/thrice', { token: thrice, body: { data: { attempt: i } } })).status);
    expect(statuses).toEqual([200, 200, 200, 403, 403]);
    expect((await api(a.addr, 'GET', 'secret/metadata/thrice', { token: a.rootToken })).body.data.current_version).toBe(3);
  });

  it("a non-orphan batch token minted on the primary is refused on the performance secondary, even when its parent's id exists there", async () => {
    // The parent is the dev root token, whose id exists on both clusters: only the batch token's origin tells them apart.
    const nonOrphan = await api(a.addr, 'POST', 'auth/token/create', { token: a.rootToken, body: { type: 'batch', policies: ['writer'] } });
    expect(nonOrphan.body.auth.orphan).toBe(false);
    const token = nonOrphan.body.auth.client_token;
    expect((await api(a.addr, 'GET', 'auth/token/lookup-self', { token })).status).toBe(200);
    expect((await api(b.addr, 'GET', 'auth/token/lookup-self', { token })).status).toBe(403);
    expect((await api(b.addr, 'POST', 'secret/data/by-batch', { token, body: { data: { v: 1 } } })).status).toBe(403);
    expect((await api(a.addr, 'GET', 'secret/data/by-batch', { token: a.rootToken })).status).toBe(404);
  });

  it('an orphan batch token minted on the primary is accepted on the performance secondary', async () => {
    const orphan = await api(a.addr, 'POST', 'auth/token/create-orphan', { token: a.rootToken, body: { type: 'batch', policies: ['writer'] } });
    expect(orphan.body.auth.orphan).toBe(true);
    const token = orphan.body.auth.client_token;
    expect((await api(b.addr, 'GET', 'auth/token/lookup-self', { token })).status).toBe(200);
    expect((await api(b.addr, 'POST', 'secret/data/by-orphan-batch', { token, body: { data: { v: 1 } } })).status).toBe(200);
  });

  it("a non-orphan batch token minted on the secondary lives there as long as its local parent", async () => {
    const parent = await api(b.addr, 'POST', 'auth/token/create', { token: a.rootToken, body: { policies: ['writer'] } });
    const p = parent.body.auth.client_token;
    const batch = (await api(b.addr, 'POST', 'auth/token/create', { token: p, body: { type: 'batch', policies: ['writer'] } })).body.auth;
    expect(batch.orphan).toBe(false);
    expect((await api(b.addr, 'GET', 'auth/token/lookup-self', { token: batch.client_token })).status).toBe(200);
    await api(b.addr, 'POST', 'auth/token/revoke', { token: a.rootToken, body: { token: p } });
    expect((await api(b.addr, 'GET', 'auth/token/lookup-self', { token: batch.client_token })).status).toBe(403);
  });
});

describe('batch DR operation tokens', () => {
  let c: DevServer; // a DR secondary of `a`
  beforeAll(async () => {
    c = await startDevServer();
    const drOps = 'path "sys/replication/dr/secondary/promote" { capabilities = ["update"] }';
    await api(a.addr, 'PUT', 'sys/policies/acl/dr-ops', { token: a.rootToken, body: { policy: drOps } });
    await pair({ addr: a.addr, token: a.rootToken }, { addr: c.addr, token: c.rootToken }, 'dr', 'dr-sec');
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
  });

  it('a non-orphan batch token cannot promote a DR secondary', async () => {
    expect((await api(a.addr, 'POST', 'auth/token/roles/dr-child', { token: a.rootToken, body: { token_type: 'batch', orphan: false, allowed_policies: 'dr-ops' } })).status).toBe(204);
    const made = await api(a.addr, 'POST', 'auth/token/create/dr-child', { token: a.rootToken, body: { ttl: '1h' } });
    expect(made.body.auth.orphan).toBe(false);
    const r = await api(c.addr, 'POST', 'sys/replication/dr/secondary/promote', { body: { dr_operation_token: made.body.auth.client_token } });
    expect(r.status).toBe(400);
    expect(r.body.errors.join(' ')).toMatch(/orphan/);
    expect((await replStatus(c.addr, 'dr')).mode).toBe('secondary');
  });

  it('an expired batch DR operation token cannot promote a DR secondary', async () => {
    await api(a.addr, 'POST', 'auth/token/roles/dr-orphan', { token: a.rootToken, body: { token_type: 'batch', orphan: true, allowed_policies: 'dr-ops' } });
    const made = await api(a.addr, 'POST', 'auth/token/create/dr-orphan', { token: a.rootToken, body: { ttl: '1s' } });
    const token = made.body.auth.client_token;
    // The primary is the signal: once it calls the token expired, so must the DR secondary.
    await waitFor('the batch token to expire on the primary', async () => (await api(a.addr, 'GET', 'auth/token/lookup-self', { token })).status === 403, 20_000);
    const r = await api(c.addr, 'POST', 'sys/replication/dr/secondary/promote', { body: { dr_operation_token: token } });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual(['invalid DR operation token']);
    expect((await replStatus(c.addr, 'dr')).mode).toBe('secondary');
  });
});

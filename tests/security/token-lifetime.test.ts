import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { waitFor } from '../support/replication';

// Issue 7 items 4 and 6: token lifetimes are real. Renewals stop at the
// token's explicit max, the mount's max and the system max (768h); an
// expiration manager revokes a token and its subtree when its TTL ends, with
// nobody presenting it; batch children die with their parent. Accessors never
// reveal tokens, and unknown or revoked tokens look up as 403.
let server: DevServer;
const root = () => server.rootToken;
const SYSTEM_MAX = 768 * 3600;

async function create(body: Record<string, unknown>, token = root()) {
  const r = await api(server.addr, 'POST', 'auth/token/create', { token, body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.auth as { client_token: string; accessor: string; lease_duration: number };
}

const selfStatus = async (token: string) => (await api(server.addr, 'GET', 'auth/token/lookup-self', { token })).status;

beforeAll(async () => {
  server = await startDevServer();
  const creator = 'path "auth/token/create" { capabilities = ["update"] }\npath "cubbyhole/*" { capabilities = ["create", "read", "update"] }';
  expect((await api(server.addr, 'PUT', 'sys/policies/acl/creator', { token: root(), body: { policy: creator } })).status).toBe(204);
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe('renewal caps', () => {
  it('renewing cannot stretch a token past its explicit_max_ttl', async () => {
    const t = await create({ policies: ['default'], ttl: '10m', explicit_max_ttl: '30m' });
    const r = await api(server.addr, 'POST', 'auth/token/renew', { token: root(), body: { token: t.client_token, increment: '1000h' } });
    expect(r.status).toBe(200);
    expect(r.body.auth.lease_duration).toBeGreaterThan(0);
    expect(r.body.auth.lease_duration).toBeLessThanOrEqual(1800);
    const self = await api(server.addr, 'GET', 'auth/token/lookup-self', { token: t.client_token });
    expect(self.body.data.ttl).toBeLessThanOrEqual(1800);
  });

  it('renewing cannot stretch a token past the system max of 768h', async () => {
    const t = await create({ policies: ['default'], ttl: '1h' });
    const r = await api(server.addr, 'POST', 'auth/token/renew-self', { token: t.client_token, body: { increment: '100000h' } });
    expect(r.status).toBe(200);
    expect(r.body.auth.lease_duration).toBeLessThanOrEqual(SYSTEM_MAX);
    const asked = await api(server.addr, 'POST', 'auth/token/create', { token: root(), body: { policies: ['default'], ttl: '100000h' } });
    expect(asked.body.auth.lease_duration).toBeLessThanOrEqual(SYSTEM_MAX);
  });

  it("renewing a login token cannot stretch it past its auth mount's max_lease_ttl", async () => {
    const enabled = await api(server.addr, 'POST', 'sys/auth/short', { token: root(), body: { type: 'userpass', config: { max_lease_ttl: '90s' } } });
    expect(enabled.status).toBe(204);
    await api(server.addr, 'POST', 'auth/short/users/bob', { token: root(), body: { password: 'pw', token_ttl: '10h' } });
    const login = await api(server.addr, 'POST', 'auth/short/login/bob', { body: { password: 'pw' } });
    expect(login.status).toBe(200);
    expect(login.body.auth.lease_duration).toBeLessThanOrEqual(90);
    const r = await api(server.addr, 'POST', 'auth/token/renew-self', { token: login.body.auth.client_token, body: { increment: '24h' } });
    expect(r.status).toBe(200);
    expect(r.body.auth.lease_duration).toBeLessThanOrEqual(90);
  });
});

describe('expiration', () => {
  it('an expired parent is revoked with its subtree on time, without anyone presenting it', async () => {
    const parent = await create({ policies: ['creator'], ttl: '3s' });
    const child = await create({ policies: ['creator'] }, parent.client_token);
    const batchChild = await create({ policies: ['default'], type: 'batch' }, parent.client_token);
    // The child is renewed past its parent: only the subtree revocation can end it.
    const renewed = await api(server.addr, 'POST', 'auth/token/renew', { token: root(), body: { token: child.client_token, increment: '1h' } });
    expect(renewed.body.auth.lease_duration).toBeGreaterThan(600);
    expect(await selfStatus(child.client_token)).toBe(200);
    expect(await selfStatus(batchChild.client_token)).toBe(200);
    // Never present the parent: the expiration manager must act on its own.
    await waitFor('the child to die with its expired parent', async () => (await selfStatus(child.client_token)) === 403, 30_000, 200);
    expect(await selfStatus(batchChild.client_token)).toBe(403);
    const keys: string[] = (await api(server.addr, 'GET', 'auth/token/accessors?list=true', { token: root() })).body.data.keys;
    expect(keys).not.toContain(parent.accessor);
    expect(keys).not.toContain(child.accessor);
    expect(await selfStatus(parent.client_token)).toBe(403);
  });

  it('a batch child dies the moment its parent is revoked', async () => {
    const parent = await create({ policies: ['creator'] });
    const batchChild = await create({ policies: ['default'], type: 'batch' }, parent.client_token);
    expect(await selfStatus(batchChild.client_token)).toBe(200);
    expect((await api(server.addr, 'POST', 'auth/token/revoke', { token: root(), body: { token: parent.client_token } })).status).toBe(204);
    expect(await selfStatus(batchChild.client_token)).toBe(403);
  });

  it('a one-use token is spent by its one request, whatever that request was', async () => {
    const once = await create({ policies: ['creator'], num_uses: 1 });
    const denied = await api(server.addr, 'GET', 'sys/mounts', { token: once.client_token });
    expect(denied.status).toBe(403); // the ACL refused it, and the use is gone all the same (as in Vault)
    expect(await selfStatus(once.client_token)).toBe(403);
  });
});

describe('accessors and lookups', () => {
  it('renew-accessor never returns the token itself', async () => {
    const t = await create({ policies: ['default'], ttl: '1h' });
    const r = await api(server.addr, 'POST', 'auth/token/renew-accessor', { token: root(), body: { accessor: t.accessor, increment: '2h' } });
    expect(r.status).toBe(200);
    expect(r.body.auth.client_token).toBe('');
    expect(JSON.stringify(r.body)).not.toContain(t.client_token);
    expect(r.body.auth.accessor).toBe(t.accessor);
    const byAccessor = await api(server.addr, 'POST', 'auth/token/lookup-accessor', { token: root(), body: { accessor: t.accessor } });
    expect(byAccessor.body.data.id).toBe('');
  });

  it('looking up an unknown or revoked token is a 403, as in Vault', async () => {
    const unknown = await api(server.addr, 'POST', 'auth/token/lookup', { token: root(), body: { token: 'hvs.AAAAAAAAAAAAAAAAAAAAAAAA' } });
    expect(unknown.status).toBe(403);
    expect(unknown.body.errors).toEqual(['bad token']);
    const t = await create({ policies: ['default'] });
    expect((await api(server.addr, 'POST', 'auth/token/lookup', { token: root(), body: { token: t.client_token } })).status).toBe(200);
    await api(server.addr, 'POST', 'auth/token/revoke', { token: root(), body: { token: t.client_token } });
    const revoked = await api(server.addr, 'POST', 'auth/token/lookup', { token: root(), body: { token: t.client_token } });
    expect(revoked.status).toBe(403);
    expect(revoked.body.errors).toEqual(['bad token']);
  });
});

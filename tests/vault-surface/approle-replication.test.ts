import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { converged, pair, waitFor } from '../support/replication';

// Issue 10 item 2, replication: AppRole roles replicate to a performance
// secondary; secret-ids replicate unless the role has local_secret_ids, in
// which case each cluster keeps its own (Vault's LocalStorage). A write the
// secondary does not own (generating a replicated secret-id, spending a use of
// one) is refused by its storage and forwarded to the primary; a forwarded
// login comes back unminted and its token is made on the secondary.
const MODE = 'performance';
let primary: DevServer;
let secondary: DevServer;
const root = () => ({ token: primary.rootToken }); // the secondary takes the primary's dev root token

const on = (s: DevServer, method: string, path: string, body?: unknown) => api(s.addr, method, path, { ...root(), body });
const login = (s: DevServer, body: Record<string, unknown>) => api(s.addr, 'POST', 'auth/approle/login', { body });

beforeAll(async () => {
  [primary, secondary] = await Promise.all([startDevServer(), startDevServer()]);
  expect((await on(primary, 'POST', 'sys/auth/approle', { type: 'approle' })).status).toBe(204);
  expect((await on(primary, 'POST', 'auth/approle/role/shared', { token_policies: 'default' })).status).toBe(204);
  expect((await on(primary, 'POST', 'auth/approle/role/edge', { local_secret_ids: true })).status).toBe(204);
  await pair({ addr: primary.addr, token: primary.rootToken }, { addr: secondary.addr, token: secondary.rootToken }, MODE, 'approle-east');
  await converged(primary.addr, secondary.addr, MODE);
}, 120_000);

afterAll(async () => {
  await Promise.all([primary?.stop(), secondary?.stop()]);
});

describe('AppRole on a performance secondary', () => {
  it('a secret-id made on the primary logs in on the secondary; the token is the secondary’s own', { timeout: 60_000 }, async () => {
    const roleId = (await on(secondary, 'GET', 'auth/approle/role/shared/role-id')).body.data.role_id;
    const sid = (await on(primary, 'POST', 'auth/approle/role/shared/secret-id')).body.data.secret_id;
    const r = await waitFor('the secret-id to replicate', async () => {
      const l = await login(secondary, { role_id: roleId, secret_id: sid });
      return l.status === 200 ? l : null;
    });
    const token = r.body.auth.client_token;
    expect((await api(secondary.addr, 'GET', 'auth/token/lookup-self', { token })).status).toBe(200);
    expect((await api(primary.addr, 'GET', 'auth/token/lookup-self', { token })).status).toBe(403);
  });

  it('spending a use of a replicated secret-id on the secondary is forwarded: the primary counts it down, the token is minted on the secondary', { timeout: 60_000 }, async () => {
    const roleId = (await on(primary, 'GET', 'auth/approle/role/shared/role-id')).body.data.role_id;
    const sid = (await on(primary, 'POST', 'auth/approle/role/shared/secret-id', { num_uses: 2, cidr_list: '127.0.0.1/32' })).body.data.secret_id;
    await waitFor('the secret-id to replicate', async () => (await on(secondary, 'POST', 'auth/approle/role/shared/secret-id/lookup', { secret_id: sid })).status === 200);
    const first = await login(secondary, { role_id: roleId, secret_id: sid });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const token = first.body.auth.client_token;
    expect((await api(secondary.addr, 'GET', 'auth/token/lookup-self', { token })).status).toBe(200);
    expect((await api(primary.addr, 'GET', 'auth/token/lookup-self', { token })).status).toBe(403);
    // Spent on the primary, and already applied here when the login answered (read-your-writes).
    for (const n of [primary, secondary]) expect((await on(n, 'POST', 'auth/approle/role/shared/secret-id/lookup', { secret_id: sid })).body.data.secret_id_num_uses).toBe(1);
    expect((await login(secondary, { role_id: roleId, secret_id: sid })).status).toBe(200);
    await waitFor('the spent secret-id to be gone on both', async () => {
      const [p, s] = await Promise.all([primary, secondary].map((n) => on(n, 'POST', 'auth/approle/role/shared/secret-id/lookup', { secret_id: sid })));
      return p.status === 204 && s.status === 204;
    });
    const accessors = async () => (await on(secondary, 'LIST', 'auth/token/accessors')).body.data.keys.length;
    const before = await accessors();
    expect((await login(secondary, { role_id: roleId, secret_id: sid })).body).toEqual({ errors: ['invalid role or secret ID'] });
    expect(await accessors()).toBe(before);
  });

  it('a secret-id generated on the secondary for a replicated role is written on the primary', { timeout: 60_000 }, async () => {
    const made = await on(secondary, 'POST', 'auth/approle/role/shared/secret-id');
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    expect((await on(primary, 'POST', 'auth/approle/role/shared/secret-id/lookup', { secret_id: made.body.data.secret_id })).status).toBe(200);
  });

  it('local_secret_ids: a secret-id made on the secondary stays there, logs in there, and replicated state does not move', { timeout: 60_000 }, async () => {
    const roleId = (await on(secondary, 'GET', 'auth/approle/role/edge/role-id')).body.data.role_id;
    const made = await on(secondary, 'POST', 'auth/approle/role/edge/secret-id');
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const sid = made.body.data.secret_id;
    expect((await on(secondary, 'POST', 'auth/approle/role/edge/secret-id/lookup', { secret_id: sid })).status).toBe(200);
    expect((await on(primary, 'POST', 'auth/approle/role/edge/secret-id/lookup', { secret_id: sid })).status).toBe(204);
    expect((await login(secondary, { role_id: roleId, secret_id: sid })).status).toBe(200);
    expect((await login(primary, { role_id: roleId, secret_id: sid })).status).toBe(400);
    await converged(primary.addr, secondary.addr, MODE);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';

// The compiled-ACL cache (server/core/acl-cache.ts) is keyed by a token's
// policy names. Joined with a newline, the names ["admin", "audit", "default"]
// and ["admin\naudit", "default"] made the same key — and a policy name may
// hold a newline: a token role whose allowed_policies_glob is "a*" lets its
// users create tokens with the policy "admin\naudit". Such a token, used after
// an admin's, was judged by the admin's cached ACL.
let server: DevServer;
const root = () => server.rootToken;

beforeAll(async () => {
  server = await startDevServer({ healthTimeoutMs: 60_000 });
  const ok = (r: { status: number; body: unknown }, status = 204) => expect(r.status, JSON.stringify(r.body)).toBe(status);
  ok(await api(server.addr, 'POST', 'secret/data/crown', { token: root(), body: { data: { v: 'jewels' } } }), 200);
  ok(await api(server.addr, 'PUT', 'sys/policies/acl/admin', { token: root(), body: { policy: 'path "secret/*" { capabilities = ["read"] }' } }));
  ok(await api(server.addr, 'PUT', 'sys/policies/acl/audit', { token: root(), body: { policy: 'path "sys/audit" { capabilities = ["read"] }' } }));
  ok(await api(server.addr, 'POST', 'auth/token/roles/apps', { token: root(), body: { allowed_policies_glob: ['a*'], orphan: true } }));
  ok(await api(server.addr, 'PUT', 'sys/policies/acl/app-maker', { token: root(), body: { policy: 'path "auth/token/create/apps" { capabilities = ["update"] }' } }));
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

describe('ACL cache key', () => {
  it('a policy name holding a newline never gets the cached ACL of the names it splits into', async () => {
    const admin = await api(server.addr, 'POST', 'auth/token/create', { token: root(), body: { policies: ['admin', 'audit'] } });
    const adminToken = admin.body.auth.client_token;
    // The admin reads: its ACL (admin, audit, default) is now cached.
    expect((await api(server.addr, 'GET', 'secret/data/crown', { token: adminToken })).status).toBe(200);

    const maker = await api(server.addr, 'POST', 'auth/token/create', { token: root(), body: { policies: ['app-maker'] } });
    const made = await api(server.addr, 'POST', 'auth/token/create/apps', { token: maker.body.auth.client_token, body: { policies: ['admin\naudit'] } });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    expect(made.body.auth.policies).toEqual(['admin\naudit', 'default']);
    // No policy is named "admin\naudit": the token has only what default allows.
    const read = await api(server.addr, 'GET', 'secret/data/crown', { token: made.body.auth.client_token });
    expect(read.status).toBe(403);
  }, 60_000);
});

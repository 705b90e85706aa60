import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { converged, pair, waitFor } from '../support/replication';

// Issue 11 item 2: the read path caches each service token's parsed entry
// (server/core/token-cache.ts) and each policy set's compiled ACL
// (server/core/acl-cache.ts). Those caches must never let a request through
// that storage would refuse: each test first warms the cache with allowed
// reads, then changes storage and expects the very next request refused.
let server: DevServer;
const root = () => server.rootToken;
const READ_A = 'path "secret/data/a" { capabilities = ["read"] }';
const READ_OTHER = 'path "secret/data/other" { capabilities = ["read"] }';

async function token(body: Record<string, unknown>, as = root(), addr = server.addr): Promise<{ client_token: string; accessor: string }> {
  const r = await api(addr, 'POST', 'auth/token/create', { token: as, body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.auth;
}

async function setPolicy(name: string, policy: string, addr = server.addr, as = root()) {
  expect((await api(addr, 'PUT', `sys/policies/acl/${name}`, { token: as, body: { policy } })).status).toBe(204);
}

const readA = async (t: string, addr = server.addr) => (await api(addr, 'GET', 'secret/data/a', { token: t })).status;

/** Allowed reads, so the token and its ACL sit in the caches. */
async function warm(t: string, addr = server.addr) {
  for (let i = 0; i < 3; i++) expect(await readA(t, addr)).toBe(200);
}

beforeAll(async () => {
  server = await startDevServer({ healthTimeoutMs: 60_000 });
  expect((await api(server.addr, 'POST', 'secret/data/a', { token: root(), body: { data: { v: '1' } } })).status).toBe(200);
  await setPolicy('read-a', READ_A);
  await setPolicy('creator', `${READ_A}\npath "auth/token/create" { capabilities = ["update"] }`);
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

describe('token cache', () => {
  it('a revoked token is refused at once despite the token cache', async () => {
    const t = await token({ policies: ['read-a'] });
    await warm(t.client_token);
    expect((await api(server.addr, 'POST', 'auth/token/revoke', { token: root(), body: { token: t.client_token } })).status).toBe(204);
    expect(await readA(t.client_token)).toBe(403);

    // By accessor, and a child through its parent's revocation, both cached first.
    const byAccessor = await token({ policies: ['read-a'] });
    await warm(byAccessor.client_token);
    expect((await api(server.addr, 'POST', 'auth/token/revoke-accessor', { token: root(), body: { accessor: byAccessor.accessor } })).status).toBe(204);
    expect(await readA(byAccessor.client_token)).toBe(403);

    const parent = await token({ policies: ['creator'] });
    const child = await token({ policies: ['creator'] }, parent.client_token);
    await warm(parent.client_token);
    await warm(child.client_token);
    expect((await api(server.addr, 'POST', 'auth/token/revoke-self', { token: parent.client_token })).status).toBe(204);
    expect(await readA(parent.client_token)).toBe(403);
    expect(await readA(child.client_token)).toBe(403);
  });

  it('a token whose TTL expired is refused though cached', { timeout: 60_000 }, async () => {
    const t = await token({ policies: ['read-a'], ttl: '3s', renewable: false });
    const self = await api(server.addr, 'GET', 'auth/token/lookup-self', { token: t.client_token });
    const expires = Date.parse(self.body.data.expire_time);
    expect(Number.isFinite(expires)).toBe(true);
    await warm(t.client_token);
    // Read in a loop across the expiry (the server shares this clock): every
    // request sent a second or more after expire_time must be refused.
    const late: number[] = [];
    await waitFor(
      'the clock to pass the expiry',
      async () => {
        const sentAt = Date.now();
        const status = await readA(t.client_token);
        if (sentAt > expires + 1_000) late.push(status);
        return late.length >= 5;
      },
      30_000,
      20,
    );
    expect(late).toEqual([403, 403, 403, 403, 403]);
  });
});

describe('ACL cache', () => {
  it('a policy change takes effect on the next request despite the ACL cache', async () => {
    await setPolicy('flip', READ_A);
    const t = await token({ policies: ['flip'] });
    await warm(t.client_token);
    await setPolicy('flip', READ_OTHER);
    expect(await readA(t.client_token)).toBe(403);
    await setPolicy('flip', READ_A);
    expect(await readA(t.client_token)).toBe(200);
    expect((await api(server.addr, 'DELETE', 'sys/policies/acl/flip', { token: root() })).status).toBe(204);
    expect(await readA(t.client_token)).toBe(403);
    await setPolicy('flip', READ_A); // a policy named by the token but created later counts from then on
    expect(await readA(t.client_token)).toBe(200);
  });

  // Joined with a newline, ["admin", "audit", "default"] and ["admin\naudit", "default"] were one cache key, and a
  // policy name may hold a newline: a role whose allowed_policies_glob is "a*" let its users make such tokens.
  it('a policy name holding a newline never gets the cached ACL of the names it splits into', async () => {
    await setPolicy('admin', 'path "secret/*" { capabilities = ["read"] }');
    await setPolicy('audit', 'path "sys/audit" { capabilities = ["read"] }');
    await setPolicy('app-maker', 'path "auth/token/create/apps" { capabilities = ["update"] }');
    const role = await api(server.addr, 'POST', 'auth/token/roles/apps', { token: root(), body: { allowed_policies_glob: ['a*'], orphan: true } });
    expect(role.status, JSON.stringify(role.body)).toBe(204);
    const admin = await token({ policies: ['admin', 'audit'] });
    await warm(admin.client_token); // its ACL (admin, audit, default) is now cached
    const maker = await token({ policies: ['app-maker'] });
    const made = await api(server.addr, 'POST', 'auth/token/create/apps', { token: maker.client_token, body: { policies: ['admin\naudit'] } });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    expect(made.body.auth.policies).toEqual(['admin\naudit', 'default']);
    // No policy is named "admin\naudit": the token has only what default allows.
    expect(await readA(made.body.auth.client_token)).toBe(403);
  });

  it('a policy change replicated from the primary takes effect on a performance secondary at once', { timeout: 180_000 }, async () => {
    const secondary = await startDevServer({ healthTimeoutMs: 60_000 });
    try {
      await setPolicy('edge-reader', READ_A);
      await pair({ addr: server.addr, token: root() }, { addr: secondary.addr, token: secondary.rootToken }, 'performance', 'acl-cache-edge');
      await converged(server.addr, secondary.addr, 'performance', 60_000);
      // A token of the secondary's own (tokens are local there); the primary's dev root token is accepted on it.
      const t = await token({ policies: ['edge-reader'] }, root(), secondary.addr);
      await warm(t.client_token, secondary.addr);

      await setPolicy('edge-reader', READ_OTHER);
      await converged(server.addr, secondary.addr, 'performance', 60_000);
      expect(await readA(t.client_token, secondary.addr)).toBe(403);

      await setPolicy('edge-reader', READ_A);
      await converged(server.addr, secondary.addr, 'performance', 60_000);
      expect(await readA(t.client_token, secondary.addr)).toBe(200);
    } finally {
      await secondary.stop();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';

// Issue 7 items 3 and 16: every ACL rule Vault has is enforced (allowed,
// denied and required parameters, min/max wrapping TTL), an unknown rule key
// is refused at write, and wrap TTLs are bounded. Each attack is answered as
// Vault answers it, and nothing changes behind the refusal.
let server: DevServer;
const root = () => server.rootToken;

async function writePolicy(name: string, policy: string) {
  const r = await api(server.addr, 'PUT', `sys/policies/acl/${name}`, { token: root(), body: { policy } });
  expect(r.status).toBe(204);
}

async function tokenWith(...policies: string[]): Promise<string> {
  const r = await api(server.addr, 'POST', 'auth/token/create', { token: root(), body: { policies, no_default_policy: false } });
  expect(r.status).toBe(200);
  return r.body.auth.client_token;
}

async function login(user: string, password: string) {
  return api(server.addr, 'POST', `auth/userpass/login/${user}`, { body: { password } });
}

const denied = (r: { status: number; body: any }) => {
  expect(r.status).toBe(403);
  expect(r.body.errors.join(' ')).toMatch(/permission denied/);
};

beforeAll(async () => {
  server = await startDevServer();
  expect((await api(server.addr, 'POST', 'sys/auth/userpass', { token: root(), body: { type: 'userpass' } })).status).toBe(204);
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe('policy parameter rules', () => {
  it('a user allowed to change only their own password cannot set token_policies=root', async () => {
    await writePolicy('alice-self', 'path "auth/userpass/users/alice" { capabilities = ["update"] allowed_parameters = { "password" = [] } }');
    const created = await api(server.addr, 'POST', 'auth/userpass/users/alice', { token: root(), body: { password: 'old-pass', token_policies: 'alice-self' } });
    expect(created.status).toBe(204);
    const first = await login('alice', 'old-pass');
    expect(first.status).toBe(200);
    const alice = first.body.auth.client_token;
    const before = await api(server.addr, 'GET', 'auth/userpass/users/alice', { token: root() });

    for (const body of [{ token_policies: 'root' }, { password: 'x', token_policies: ['root'] }, { password: 'x', Token_Policies: 'root' }, { policies: 'root' }]) {
      denied(await api(server.addr, 'POST', 'auth/userpass/users/alice', { token: alice, body }));
    }

    // The user record is unchanged, and a fresh login still gets the old policies.
    const after = await api(server.addr, 'GET', 'auth/userpass/users/alice', { token: root() });
    expect(after.body.data).toEqual(before.body.data);
    const again = await login('alice', 'old-pass');
    expect(again.status).toBe(200);
    expect(again.body.auth.policies).toEqual(['alice-self', 'default']);

    // What the policy does allow still works.
    expect((await api(server.addr, 'POST', 'auth/userpass/users/alice', { token: alice, body: { password: 'new-pass' } })).status).toBe(204);
    expect((await login('alice', 'old-pass')).status).toBe(400);
    expect((await login('alice', 'new-pass')).body.auth.policies).toEqual(['alice-self', 'default']);
  });

  it('a required parameter cannot be left out', async () => {
    await writePolicy('needs-cas', 'path "secret/data/req/*" { capabilities = ["create", "update", "read"] required_parameters = ["options"] }');
    const token = await tokenWith('needs-cas');
    denied(await api(server.addr, 'POST', 'secret/data/req/a', { token, body: { data: { v: 1 } } }));
    expect((await api(server.addr, 'GET', 'secret/data/req/a', { token: root() })).status).toBe(404);
    const ok = await api(server.addr, 'POST', 'secret/data/req/a', { token, body: { data: { v: 1 }, options: {} } });
    expect(ok.status).toBe(200);
    expect((await api(server.addr, 'GET', 'secret/data/req/a', { token: root() })).body.data.data).toEqual({ v: 1 });
  });

  it('a denied parameter value is refused', async () => {
    await writePolicy(
      'user-admin',
      'path "auth/userpass/users/*" { capabilities = ["create", "update", "read"] denied_parameters = { "token_policies" = ["root", "admin*"] } }',
    );
    const token = await tokenWith('user-admin');
    for (const token_policies of ['root', 'dev,root', ['dev', 'root'], 'admin-ops', ' root ']) {
      denied(await api(server.addr, 'POST', 'auth/userpass/users/bob', { token, body: { password: 'pw', token_policies } }));
    }
    expect((await api(server.addr, 'GET', 'auth/userpass/users/bob', { token: root() })).status).toBe(404);
    expect((await api(server.addr, 'POST', 'auth/userpass/users/bob', { token, body: { password: 'pw', token_policies: 'dev' } })).status).toBe(204);
    expect((await login('bob', 'pw')).body.auth.policies).toEqual(['default', 'dev']);
  });

  it('an unknown rule key is refused at policy write (400)', async () => {
    for (const [path, body] of [
      ['sys/policies/acl/typo', { policy: 'path "secret/*" { capabilities = ["read"] allowed_parameter = { "x" = [] } }' }],
      ['sys/policy/typo', { policy: 'path "secret/*" { capabilities = ["read"] colour = "red" }' }],
      ['sys/policies/acl/typo', { policy: 'path "secret/*" { capabilities = ["read"] allowed_parameters = { "x" = "not-a-list" } }' }],
    ] as const) {
      const r = await api(server.addr, 'PUT', path, { token: root(), body });
      expect(r.status).toBe(400);
      expect(r.body.errors[0]).toMatch(/^failed to parse policy: path "secret\/\*": /);
    }
    expect((await api(server.addr, 'GET', 'sys/policies/acl/typo', { token: root() })).status).toBe(404);
  });
});

describe('wrapping TTL rules', () => {
  const secret = 'the-wrapped-secret-value';

  beforeAll(async () => {
    expect((await api(server.addr, 'POST', 'secret/data/wrapped', { token: root(), body: { data: { v: secret } } })).status).toBe(200);
  });

  it('a min_wrapping_ttl path never returns a secret unwrapped', async () => {
    await writePolicy('must-wrap', 'path "secret/data/wrapped" { capabilities = ["read"] min_wrapping_ttl = "1m" }');
    const token = await tokenWith('must-wrap');
    for (const headers of [undefined, { 'X-Vault-Wrap-TTL': '30s' }]) {
      const r = await api(server.addr, 'GET', 'secret/data/wrapped', { token, headers });
      denied(r);
      expect(JSON.stringify(r.body)).not.toContain(secret);
    }
    const wrapped = await api(server.addr, 'GET', 'secret/data/wrapped', { token, headers: { 'X-Vault-Wrap-TTL': '5m' } });
    expect(wrapped.status).toBe(200);
    expect(wrapped.body.data).toBeNull();
    expect(JSON.stringify(wrapped.body)).not.toContain(secret);
    expect(wrapped.body.wrap_info.ttl).toBe(300);
    const unwrapped = await api(server.addr, 'POST', 'sys/wrapping/unwrap', { token: wrapped.body.wrap_info.token });
    expect(unwrapped.body.data.data).toEqual({ v: secret });
  });

  it('max_wrapping_ttl above the bound is refused', async () => {
    await writePolicy('short-wrap', 'path "secret/data/wrapped" { capabilities = ["read"] max_wrapping_ttl = "10m" }');
    const token = await tokenWith('short-wrap');
    for (const headers of [{ 'X-Vault-Wrap-TTL': '1h' }, { 'X-Vault-Wrap-TTL': '601' }, undefined]) {
      const r = await api(server.addr, 'GET', 'secret/data/wrapped', { token, headers });
      denied(r);
      expect(JSON.stringify(r.body)).not.toContain(secret);
    }
    const ok = await api(server.addr, 'GET', 'secret/data/wrapped', { token, headers: { 'X-Vault-Wrap-TTL': '10m' } });
    expect(ok.status).toBe(200);
    expect(ok.body.wrap_info.ttl).toBe(600);
  });

  it('X-Vault-Wrap-TTL: 999999999h is a clear 400', async () => {
    for (const ttl of ['999999999h', '769h', `${768 * 3600 + 1}`]) {
      const r = await api(server.addr, 'POST', 'secret/data/huge-wrap', { token: root(), body: { data: { v: 1 } }, headers: { 'X-Vault-Wrap-TTL': ttl } });
      expect(r.status).toBe(400);
      expect(r.body.errors[0]).toMatch(/wrap ttl .* exceeds the max TTL of 768h0m0s/);
    }
    // Refused before the handler ran: nothing was written, and the server still answers.
    expect((await api(server.addr, 'GET', 'secret/data/huge-wrap', { token: root() })).status).toBe(404);
    const atMax = await api(server.addr, 'GET', 'secret/data/wrapped', { token: root(), headers: { 'X-Vault-Wrap-TTL': '768h' } });
    expect(atMax.status).toBe(200);
    expect(atMax.body.wrap_info.ttl).toBe(768 * 3600);
  });
});

describe('create versus update', () => {
  it('a policy with only update on a path cannot create a new secret there', async () => {
    await writePolicy('update-only', 'path "secret/data/shared/*" { capabilities = ["update", "read"] }');
    const exists = await api(server.addr, 'POST', 'secret/data/shared/existing', { token: root(), body: { data: { v: '1' } } });
    expect(exists.status).toBe(200);
    const token = await tokenWith('update-only');

    denied(await api(server.addr, 'POST', 'secret/data/shared/brand-new', { token, body: { data: { v: 'x' } } }));
    const missing = await api(server.addr, 'GET', 'secret/data/shared/brand-new', { token: root() });
    expect(missing.status).toBe(404);

    // Updating what exists is what `update` grants.
    const updated = await api(server.addr, 'POST', 'secret/data/shared/existing', { token, body: { data: { v: '2' } } });
    expect(updated.status).toBe(200);
    expect(updated.body.data.version).toBe(2);
  });
});

import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';

// Issue 10 item 4: leases (sys/leases/*), KV v1's lease_duration, effective
// tune values, sys/remount and sys/host-info, against one real dev server.
// Coffer's leases are its expiring service tokens (auth leases, as Vault
// names them "auth/token/create/<salted id>"); KV v1 hints a TTL and makes no
// lease, exactly like Vault's passthrough backend.
const require = createRequire(import.meta.url);
const nodeVault = require('node-vault') as (opts: Record<string, unknown>) => any;

const SYSTEM_TTL = 2764800; // 768h, Vault's default and max lease TTL
let s: DevServer;
let root = '';
let plain = ''; // a token whose policy grants the lease paths but no sudo

const asRoot = (method: string, path: string, body?: unknown) => api(s.addr, method, path, { token: root, body });
async function newToken(body: Record<string, unknown> = {}): Promise<{ token: string; accessor: string }> {
  const r = await asRoot('POST', 'auth/token/create', { policies: ['default'], ttl: '1h', ...body });
  expect(r.status).toBe(200);
  return { token: r.body.auth.client_token, accessor: r.body.auth.accessor };
}
async function leaseIdsUnder(prefix: string): Promise<string[]> {
  const r = await api(s.addr, 'LIST', `sys/leases/lookup/${prefix}`, { token: root });
  return r.status === 200 ? (r.body.data.keys as string[]).map((k) => prefix + k) : [];
}
const alive = async (token: string) => (await api(s.addr, 'GET', 'auth/token/lookup-self', { token })).status === 200;

beforeAll(async () => {
  s = await startDevServer();
  root = s.rootToken;
  await asRoot('PUT', 'sys/policies/acl/lease-ops', {
    policy: ['sys/leases/*', 'sys/revoke-prefix/*', 'sys/host-info', 'sys/remount', 'kv-moved/*'].map((p) => `path "${p}" { capabilities = ["create", "read", "update", "list"] }`).join('\n'),
  });
  plain = (await asRoot('POST', 'auth/token/create', { policies: ['lease-ops'], ttl: '2h' })).body.auth.client_token;
  expect((await asRoot('POST', 'sys/mounts/kv1', { type: 'kv' })).status).toBe(204);
});
afterAll(async () => {
  await s?.stop();
});

describe('sys/leases', () => {
  it('lookup answers Vault\'s fields (id, issue_time, expire_time, last_renewal, renewable, ttl) for a token lease', async () => {
    const before = await leaseIdsUnder('auth/token/create/');
    const { token } = await newToken({ ttl: '1h' });
    const ids = (await leaseIdsUnder('auth/token/create/')).filter((id) => !before.includes(id));
    expect(ids).toHaveLength(1);
    const r = await asRoot('PUT', 'sys/leases/lookup', { lease_id: ids[0] });
    expect(r.status).toBe(200);
    const d = r.body.data;
    expect(Object.keys(d).sort()).toEqual(['expire_time', 'id', 'issue_time', 'last_renewal', 'renewable', 'ttl']);
    expect(d).toMatchObject({ id: ids[0], last_renewal: null, renewable: true });
    expect(d.ttl).toBeGreaterThan(3500);
    expect(d.ttl).toBeLessThanOrEqual(3600);
    expect(Date.parse(d.expire_time) - Date.parse(d.issue_time)).toBeGreaterThanOrEqual(3599_000);
    // the lease is the token: renewing the token shows as last_renewal
    await api(s.addr, 'POST', 'auth/token/renew-self', { token, body: { increment: '2h' } });
    const again = await asRoot('PUT', 'sys/leases/lookup', { lease_id: ids[0] });
    expect(again.body.data.last_renewal).not.toBeNull();
    expect(again.body.data.ttl).toBeGreaterThan(7000);
  });

  it('lookup of an unknown or missing lease id is a 400 with Vault\'s words', async () => {
    expect(await asRoot('PUT', 'sys/leases/lookup', { lease_id: 'auth/token/create/00ff' })).toMatchObject({ status: 400, body: { errors: ['invalid lease'] } });
    expect(await asRoot('PUT', 'sys/leases/lookup', {})).toMatchObject({ status: 400, body: { errors: ['lease_id must be specified'] } });
  });

  it('LIST sys/leases/lookup/:prefix walks lease ids folder by folder and needs sudo', async () => {
    await newToken();
    expect((await api(s.addr, 'LIST', 'sys/leases/lookup/', { token: root })).body.data.keys).toContain('auth/');
    expect((await api(s.addr, 'LIST', 'sys/leases/lookup/auth/', { token: root })).body.data.keys).toContain('token/');
    expect((await api(s.addr, 'LIST', 'sys/leases/lookup/auth/token/', { token: root })).body.data.keys).toContain('create/');
    expect((await api(s.addr, 'LIST', 'sys/leases/lookup/nothing-here/', { token: root })).status).toBe(404);
    // the root token never expires: it holds no lease and is never listed
    const all = await leaseIdsUnder('auth/token/root/');
    expect(all).toEqual([]);
    const denied = await api(s.addr, 'LIST', 'sys/leases/lookup/auth/', { token: plain });
    expect(denied.status).toBe(403);
  });

  it('renew refuses token leases (they renew through auth/token/renew), legacy sys/renew too, and changes nothing', async () => {
    const before = await leaseIdsUnder('auth/token/create/');
    await newToken({ ttl: '30m' });
    const id = (await leaseIdsUnder('auth/token/create/')).find((x) => !before.includes(x))!;
    const ttlBefore = (await asRoot('PUT', 'sys/leases/lookup', { lease_id: id })).body.data.expire_time;
    const vault = nodeVault({ endpoint: s.addr, token: root });
    const err = await vault.renew({ lease_id: id, increment: 7200 }).catch((e: any) => e);
    expect(err.response.statusCode).toBe(400);
    expect(err.message).toBe('tokens cannot be renewed through this endpoint');
    expect(await asRoot('PUT', `sys/renew/${id}`, {})).toMatchObject({ status: 400, body: { errors: ['tokens cannot be renewed through this endpoint'] } });
    expect(await asRoot('PUT', 'sys/leases/renew', { lease_id: 'kv1/nope/abc' })).toMatchObject({ status: 400, body: { errors: ['lease not found'] } });
    expect((await asRoot('PUT', 'sys/leases/lookup', { lease_id: id })).body.data.expire_time).toBe(ttlBefore);
  });

  it('revoke ends the token behind the lease (and its children); an unknown lease is a quiet 204', async () => {
    const before = await leaseIdsUnder('auth/token/create/');
    const parent = await newToken({ ttl: '1h', policies: ['root'] }); // may create children
    const child = (await api(s.addr, 'POST', 'auth/token/create', { token: parent.token, body: { ttl: '10m' } })).body.auth.client_token;
    const id = (await leaseIdsUnder('auth/token/create/')).filter((x) => !before.includes(x));
    expect(id).toHaveLength(2);
    const parentLease = (await Promise.all(id.map(async (x) => ({ x, ttl: (await asRoot('PUT', 'sys/leases/lookup', { lease_id: x })).body.data.ttl })))).sort((a, b) => b.ttl - a.ttl)[0].x;
    const vault = nodeVault({ endpoint: s.addr, token: root });
    await vault.revoke({ lease_id: parentLease });
    expect(await alive(parent.token)).toBe(false);
    expect(await alive(child)).toBe(false);
    expect((await asRoot('PUT', 'sys/leases/revoke', { lease_id: 'auth/token/create/00ff' })).status).toBe(204);
    expect(await asRoot('PUT', 'sys/leases/revoke', {})).toMatchObject({ status: 400, body: { errors: ['lease_id must be specified'] } });
    // legacy path, lease id in the URL
    const other = await newToken();
    const otherId = (await leaseIdsUnder('auth/token/create/')).find((x) => !before.includes(x))!;
    expect((await asRoot('PUT', `sys/revoke/${otherId}`)).status).toBe(204);
    expect(await alive(other.token)).toBe(false);
    expect(await alive(root)).toBe(true);
  });

  it('revoke-prefix and revoke-force need sudo, then revoke every lease under the prefix and nothing else', async () => {
    const role = await asRoot('POST', 'auth/token/roles/batchers', { allowed_policies: 'default' });
    expect(role.status).toBe(204);
    const mk = async () => (await asRoot('POST', 'auth/token/create/batchers', { ttl: '1h' })).body.auth.client_token as string;
    const [a, b] = [await mk(), await mk()];
    const bystander = await newToken();
    expect((await api(s.addr, 'PUT', 'sys/leases/revoke-prefix/auth/token/create/batchers', { token: plain })).status).toBe(403);
    expect(await alive(a)).toBe(true);
    const vault = nodeVault({ endpoint: s.addr, token: root });
    await vault.revokePrefix({ path_prefix: 'auth/token/create/batchers' }); // legacy sys/revoke-prefix
    expect(await alive(a)).toBe(false);
    expect(await alive(b)).toBe(false);
    expect(await alive(bystander.token)).toBe(true);
    const c = await mk();
    expect((await api(s.addr, 'PUT', 'sys/leases/revoke-force/auth/token/create/batchers', { token: plain })).status).toBe(403);
    expect((await asRoot('PUT', 'sys/leases/revoke-force/auth/token/create/batchers')).status).toBe(204);
    expect(await alive(c)).toBe(false);
    expect(await alive(bystander.token)).toBe(true);
    expect(await alive(plain)).toBe(true);
  });

  it('tidy answers 202 with Vault\'s warning and leaves valid tokens alone', async () => {
    const t = await newToken();
    const r = await asRoot('PUT', 'sys/leases/tidy');
    expect(r.status).toBe(202);
    expect(r.body.warnings[0]).toMatch(/^Tidy operation successfully started/);
    expect(await alive(t.token)).toBe(true);
  });

  it('count: type=irrevocable counts leases whose revocation failed for good (none); other types answer 204', async () => {
    const r = await asRoot('GET', 'sys/leases/count?type=irrevocable');
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ lease_count: 0, counts: {} });
    expect((await asRoot('GET', 'sys/leases/count')).status).toBe(204);
    expect((await asRoot('GET', 'sys/leases?type=irrevocable')).body.data).toEqual({ lease_count: 0, leases: [] });
  });
});

describe('KV v1 lease_duration (consul-template and Vault Agent must not spin)', () => {
  it("reports the secret's ttl, else the mount's default lease TTL, with no lease id and not renewable", async () => {
    const vault = nodeVault({ endpoint: s.addr, token: root });
    await vault.write('kv1/with-ttl', { password: 'p1', ttl: '30m' });
    await vault.write('kv1/plain', { password: 'p2' });
    const withTtl = await vault.read('kv1/with-ttl');
    expect(withTtl).toMatchObject({ lease_id: '', renewable: false, lease_duration: 1800, data: { password: 'p1', ttl: '30m' } });
    const plainRead = await vault.read('kv1/plain');
    expect(plainRead).toMatchObject({ lease_id: '', renewable: false, lease_duration: SYSTEM_TTL });
    // a tuned default applies at once; the leases list stays free of KV entries
    expect((await asRoot('POST', 'sys/mounts/kv1/tune', { default_lease_ttl: '1h' })).status).toBe(204);
    expect((await vault.read('kv1/plain')).lease_duration).toBe(3600);
    expect((await api(s.addr, 'LIST', 'sys/leases/lookup/kv1/', { token: root })).status).toBe(404);
    expect((await asRoot('POST', 'sys/mounts/kv1/tune', { default_lease_ttl: 0 })).status).toBe(204);
    expect((await vault.read('kv1/plain')).lease_duration).toBe(SYSTEM_TTL);
  });
});

describe('tune answers effective values', () => {
  it('sys/mounts/:path/tune and sys/auth/:path/tune read 2764800 for unset TTLs, not 0', async () => {
    const m = await asRoot('GET', 'sys/mounts/secret/tune');
    expect(m.status).toBe(200);
    expect(m.body.data).toMatchObject({ default_lease_ttl: SYSTEM_TTL, max_lease_ttl: SYSTEM_TTL, force_no_cache: false, options: { version: '2' } });
    await asRoot('POST', 'sys/auth/up', { type: 'userpass' });
    const a = await asRoot('GET', 'sys/auth/up/tune');
    expect(a.body.data).toMatchObject({ default_lease_ttl: SYSTEM_TTL, max_lease_ttl: SYSTEM_TTL, token_type: 'default-service' });
    await asRoot('POST', 'sys/auth/up/tune', { max_lease_ttl: '2h', listing_visibility: 'unauth' });
    expect((await asRoot('GET', 'sys/auth/up/tune')).body.data).toMatchObject({ default_lease_ttl: 7200, max_lease_ttl: 7200, listing_visibility: 'unauth' });
  });

  it('the built-in token/ mount reads and persists its tune, and tokens follow it', async () => {
    const vault = nodeVault({ endpoint: s.addr, token: root });
    const before = await asRoot('GET', 'sys/auth/token/tune');
    expect(before.status).toBe(200);
    expect(before.body.data).toMatchObject({ default_lease_ttl: SYSTEM_TTL, max_lease_ttl: SYSTEM_TTL, description: 'token based credentials', token_type: 'default-service' });
    expect((await asRoot('POST', 'sys/auth/token/tune', { default_lease_ttl: '2h', max_lease_ttl: '3h' })).status).toBe(204);
    expect((await asRoot('GET', 'sys/auth/token/tune')).body.data).toMatchObject({ default_lease_ttl: 7200, max_lease_ttl: 10800 });
    expect((await asRoot('GET', 'sys/auth')).body.data['token/'].config).toMatchObject({ default_lease_ttl: 7200, max_lease_ttl: 10800 });
    const t = await vault.tokenCreate({ policies: ['default'] });
    expect(t.auth.lease_duration).toBe(7200);
    // node-vault's tokenCreate switches the client to the new token (tokenSource): ask as root again
    const capped = await asRoot('POST', 'auth/token/create', { policies: ['default'], ttl: '100h' });
    expect(capped.body.auth.lease_duration).toBe(10800);
    await asRoot('POST', 'sys/auth/token/tune', { default_lease_ttl: 0, max_lease_ttl: 0 });
    expect((await asRoot('GET', 'sys/auth/token/tune')).body.data.default_lease_ttl).toBe(SYSTEM_TTL);
  });
});

describe('sys/remount', () => {
  it('moves a mount with its data; the new path serves it and ACLs see the new path; status reports success', async () => {
    await asRoot('POST', 'sys/mounts/kv-src', { type: 'kv' });
    await asRoot('PUT', 'kv-src/db', { password: 'moved-along' });
    const mv = await asRoot('POST', 'sys/remount', { from: 'kv-src', to: 'kv-moved' });
    expect(mv.status).toBe(200);
    const id = mv.body.data.migration_id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const st = await asRoot('GET', `sys/remount/status/${id}`);
    expect(st.body.data).toEqual({ migration_id: id, migration_info: { source_mount: 'kv-src/', target_mount: 'kv-moved/', status: 'success' } });
    expect((await asRoot('GET', 'kv-moved/db')).body.data).toEqual({ password: 'moved-along' });
    expect((await asRoot('GET', 'kv-src/db')).status).toBe(404);
    // lease-ops grants kv-moved/*: the moved data is reachable under its new path only
    expect((await api(s.addr, 'GET', 'kv-moved/db', { token: plain })).body.data).toEqual({ password: 'moved-along' });
    const mounts = await asRoot('GET', 'sys/mounts');
    expect(mounts.body.data['kv-moved/']).toBeDefined();
    expect(mounts.body.data['kv-src/']).toBeUndefined();
    expect((await asRoot('GET', 'sys/remount/status/not-a-migration')).status).toBe(404);
  });

  it('refuses to move sys/, token/, cubbyhole/, into a used path, or across auth and secrets; nothing moves', async () => {
    for (const from of ['sys', 'auth/token', 'cubbyhole']) {
      const r = await asRoot('POST', 'sys/remount', { from, to: 'elsewhere' + from.replace('/', '-') });
      expect(r.status).toBe(400);
      expect(r.body.errors[0]).toMatch(/cannot remount/);
    }
    expect((await asRoot('POST', 'sys/remount', { from: 'kv1', to: 'secret' })).status).toBe(400);
    expect((await asRoot('POST', 'sys/remount', { from: 'kv1', to: 'auth/kv1' })).status).toBe(400);
    expect((await asRoot('POST', 'sys/remount', { from: 'kv1' })).status).toBe(400);
    expect((await api(s.addr, 'POST', 'sys/remount', { token: plain, body: { from: 'kv1', to: 'kv2' } })).status).toBe(403);
    const mounts = (await asRoot('GET', 'sys/mounts')).body.data;
    expect(Object.keys(mounts)).toEqual(expect.arrayContaining(['kv1/', 'secret/', 'cubbyhole/', 'sys/']));
    expect((await asRoot('GET', 'kv1/plain')).status).toBe(200);
  });

  it('moves an auth method under auth/ and its logins follow', async () => {
    await asRoot('POST', 'sys/auth/people', { type: 'userpass' });
    await asRoot('POST', 'auth/people/users/ann', { password: 'pw-ann' });
    expect((await asRoot('POST', 'sys/remount', { from: 'auth/people', to: 'auth/staff' })).status).toBe(200);
    const login = await api(s.addr, 'POST', 'auth/staff/login/ann', { body: { password: 'pw-ann' } });
    expect(login.status).toBe(200);
    // a login's token is a lease under the path it logged in at, as in Vault
    expect((await leaseIdsUnder('auth/staff/login/ann/')).length).toBe(1);
    expect((await api(s.addr, 'POST', 'auth/people/login/ann', { body: { password: 'pw-ann' } })).status).not.toBe(200);
  });
});

describe('sys/host-info', () => {
  it('answers cpu, disk, host, memory and timestamp to a sudo caller only', async () => {
    const r = await asRoot('GET', 'sys/host-info');
    expect(r.status).toBe(200);
    const d = r.body.data;
    expect(d.cpu.length).toBeGreaterThan(0);
    expect(d.disk[0].total).toBeGreaterThan(0);
    expect(d.host.hostname).toBeTruthy();
    expect(d.memory.total).toBeGreaterThan(0);
    expect(Date.parse(d.timestamp)).not.toBeNaN();
    expect((await api(s.addr, 'GET', 'sys/host-info', { token: plain })).status).toBe(403);
  });
});

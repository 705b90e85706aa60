import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCoffer } from '../support/cli';
import { api, startConfiguredServer, type ConfiguredServer } from '../support/cluster';
import { dataFiles, findNeedles, initAndUnseal, needles } from '../support/disk-scan';
import { waitFor } from '../support/replication';

// Issue 10 item 2: AppRole as Vault's `approle` auth method, driven over the
// real API, the real CLI and an unmodified Vault client (node-vault). One
// configured server (it has a data dir, so the last test can scan the SQLite
// files for secret-ids in clear).
const require = createRequire(import.meta.url);
const nodeVault = require('node-vault') as (opts: Record<string, unknown>) => any;

let server: ConfiguredServer;
let rootToken = '';
let home = '';
/** Every secret-id handed out here: none may be on disk in clear. */
const issued: string[] = [];

const root = () => ({ token: rootToken });
const call = (method: string, path: string, body?: unknown) => api(server.addr, method, path, { ...root(), body });
const login = (body: Record<string, unknown>) => api(server.addr, 'POST', 'auth/approle/login', { body });

async function tokenAccessors(): Promise<string[]> {
  const r = await call('LIST', 'auth/token/accessors');
  expect(r.status).toBe(200);
  return [...r.body.data.keys].sort();
}

async function role(name: string, body: Record<string, unknown>): Promise<string> {
  const w = await call('POST', `auth/approle/role/${name}`, body);
  expect(w.status, JSON.stringify(w.body)).toBe(204);
  return (await call('GET', `auth/approle/role/${name}/role-id`)).body.data.role_id;
}

async function secretId(name: string, body: Record<string, unknown> = {}): Promise<{ secret_id: string; secret_id_accessor: string; secret_id_ttl: number; secret_id_num_uses: number }> {
  const r = await call('POST', `auth/approle/role/${name}/secret-id`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  issued.push(r.body.data.secret_id);
  return r.body.data;
}

beforeAll(async () => {
  server = await startConfiguredServer({ name: 'approle' });
  rootToken = (await initAndUnseal(server)).rootToken;
  home = mkdtempSync(join(tmpdir(), 'coffer-approle-cli-'));
  expect((await call('POST', 'sys/auth/approle', { type: 'approle' })).status).toBe(204);
  for (const p of ['dev', 'ops']) expect((await call('PUT', `sys/policies/acl/${p}`, { policy: `path "secret/${p}/*" { capabilities = ["read"] }` })).status).toBe(204);
}, 90_000);

afterAll(async () => {
  await server?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('AppRole (Vault approle auth method)', () => {
  it('the CI pattern: role with policies → role-id → wrapped secret-id → unwrap → node-vault approleLogin → token with the role’s policies and TTL', async () => {
    const roleId = await role('ci', { token_policies: 'dev,ops', token_ttl: '20m', token_max_ttl: '1h', secret_id_ttl: '10m' });
    const read = await call('GET', 'auth/approle/role/ci');
    expect(read.body.data).toMatchObject({ bind_secret_id: true, token_policies: ['dev', 'ops'], token_ttl: 1200, token_max_ttl: 3600, secret_id_ttl: 600, secret_id_num_uses: 0, local_secret_ids: false, secret_id_bound_cidrs: [] });

    // The CI system holds a token that may only read the role-id and issue secret-ids, as Vault's pattern has it.
    const issuerPolicy = 'path "auth/approle/role/ci/role-id" { capabilities = ["read"] }\npath "auth/approle/role/+/secret-id" { capabilities = ["update"] }';
    expect((await call('PUT', 'sys/policies/acl/ci-issuer', { policy: issuerPolicy })).status).toBe(204);
    const issuer = (await call('POST', 'auth/token/create', { policies: ['ci-issuer'] })).body.auth.client_token;
    expect((await api(server.addr, 'GET', 'auth/approle/role/ci/role-id', { token: issuer })).body.data.role_id).toBe(roleId);
    expect((await api(server.addr, 'GET', 'auth/approle/role/ci', { token: issuer })).status).toBe(403);
    const wrapped = await api(server.addr, 'POST', 'auth/approle/role/ci/secret-id', { token: issuer, headers: { 'X-Vault-Wrap-TTL': '60s' } });
    expect(wrapped.status).toBe(200);
    expect(wrapped.body.data).toBeNull();
    expect(wrapped.body.wrap_info).toMatchObject({ ttl: 60, creation_path: 'auth/approle/role/ci/secret-id' });
    const unwrapped = await api(server.addr, 'POST', 'sys/wrapping/unwrap', { token: wrapped.body.wrap_info.token });
    expect(unwrapped.status).toBe(200);
    expect(unwrapped.body.data).toMatchObject({ secret_id_ttl: 600, secret_id_num_uses: 0 });
    const sid = unwrapped.body.data.secret_id as string;
    issued.push(sid);

    const client = nodeVault({ endpoint: server.addr, apiVersion: 'v1' });
    const res = await client.approleLogin({ role_id: roleId, secret_id: sid });
    expect(res.auth.policies).toEqual(['default', 'dev', 'ops']);
    expect(res.auth.metadata).toEqual({ role_name: 'ci' });
    expect(res.auth.lease_duration).toBe(1200);
    expect(client.token).toBe(res.auth.client_token); // node-vault adopts the login's token
    const self = await api(server.addr, 'GET', 'auth/token/lookup-self', { token: res.auth.client_token });
    expect(self.body.data.policies).toEqual(['default', 'dev', 'ops']);
    expect(self.body.data.ttl).toBeGreaterThan(1100);
    expect(self.body.data.ttl).toBeLessThanOrEqual(1200);
    expect(self.body.data.display_name).toBe('approle');
  });

  it('node-vault’s AppRole admin calls work unchanged (role CRUD, role-id, secret-id, accessors, lookups, destroys)', async () => {
    const nv = nodeVault({ endpoint: server.addr, apiVersion: 'v1', token: rootToken });
    await nv.addApproleRole({ role_name: 'nv', policies: 'dev', secret_id_ttl: 600 }); // node-vault's schema wants seconds
    expect((await nv.approleRoles()).data.keys).toContain('nv');
    expect((await nv.getApproleRole({ role_name: 'nv' })).data).toMatchObject({ token_policies: ['dev'], policies: ['dev'], secret_id_ttl: 600 });
    await nv.updateApproleRoleId({ role_name: 'nv', role_id: 'nv-role-id' });
    expect((await nv.getApproleRoleId({ role_name: 'nv' })).data.role_id).toBe('nv-role-id');
    const sid = (await nv.getApproleRoleSecret({ role_name: 'nv', metadata: '{"app":"nv"}' })).data;
    issued.push(sid.secret_id);
    expect((await nv.approleSecretAccessors({ role_name: 'nv' })).data.keys).toEqual([sid.secret_id_accessor]);
    expect((await nv.approleSecretLookup({ role_name: 'nv', secret_id: sid.secret_id })).data.metadata).toEqual({ app: 'nv' });
    expect((await nv.approleSecretAccessorLookup({ role_name: 'nv', secret_id_accessor: sid.secret_id_accessor })).data.secret_id_ttl).toBe(600);
    const other = (await nv.getApproleRoleSecret({ role_name: 'nv' })).data;
    await nv.approleSecretAccessorDestroy({ role_name: 'nv', secret_id_accessor: other.secret_id_accessor });
    await nv.approleSecretDestroy({ role_name: 'nv', secret_id: sid.secret_id });
    expect((await call('LIST', 'auth/approle/role/nv/secret-id')).status).toBe(404);
    await nv.deleteApproleRole({ role_name: 'nv' });
    expect((await call('GET', 'auth/approle/role/nv')).status).toBe(404);
  });

  it('the CLI wraps a secret-id: coffer write -wrap-ttl=60s -f auth/approle/role/ci/secret-id', async () => {
    const r = await runCoffer(['write', '-format=json', '-wrap-ttl=60s', '-f', 'auth/approle/role/ci/secret-id'], { addr: server.addr, home, token: rootToken });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.wrap_info.ttl).toBe(60);
    const unwrapped = await api(server.addr, 'POST', 'sys/wrapping/unwrap', { token: out.wrap_info.token });
    expect(unwrapped.body.data.secret_id).toMatch(/^[0-9a-f-]{36}$/);
    issued.push(unwrapped.body.data.secret_id);
  });

  it('bind_secret_id=false needs a CIDR constraint as in Vault; then role_id alone logs in, from inside the CIDRs only', async () => {
    const bare = await call('POST', 'auth/approle/role/open', { bind_secret_id: false });
    expect(bare.status).toBe(400);
    expect(bare.body).toEqual({ errors: ['at least one constraint should be enabled on the role'] });
    expect((await call('GET', 'auth/approle/role/open')).status).toBe(404); // nothing written

    const roleId = await role('local-only', { bind_secret_id: false, secret_id_bound_cidrs: '127.0.0.0/8', token_policies: 'dev' });
    const ok = await login({ role_id: roleId });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.auth.policies).toEqual(['default', 'dev']);
    expect((await call('POST', 'auth/approle/role/local-only/secret-id')).body).toEqual({ errors: ['bind_secret_id is not set on the role'] });

    const farId = await role('far-only', { bind_secret_id: false, secret_id_bound_cidrs: ['10.0.0.0/8'] });
    const before = await tokenAccessors();
    const far = await login({ role_id: farId });
    expect(far.status).toBe(400);
    expect(far.body.errors[0]).toMatch(/^source address "(::ffff:)?127\.0\.0\.1" unauthorized by CIDR restrictions on the role$/);
    expect(await tokenAccessors()).toEqual(before);
  });

  it('secret_id_num_uses=1: the second login with the same secret-id is refused and the secret-id is gone', async () => {
    const roleId = await role('once', { secret_id_num_uses: 1 });
    const sid = await secretId('once');
    expect(sid.secret_id_num_uses).toBe(1);
    expect((await login({ role_id: roleId, secret_id: sid.secret_id })).status).toBe(200);
    const before = await tokenAccessors();
    const again = await login({ role_id: roleId, secret_id: sid.secret_id });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ errors: ['invalid role or secret ID'] });
    expect(await tokenAccessors()).toEqual(before);
    expect((await call('LIST', 'auth/approle/role/once/secret-id')).status).toBe(404);
  });

  it('num_uses on a secret-id counts down, and may not exceed the role’s', async () => {
    const roleId = await role('thrice', { secret_id_num_uses: 3 });
    expect((await call('POST', 'auth/approle/role/thrice/secret-id', { num_uses: 5 })).body).toEqual({ errors: ["num_uses cannot be higher than the role's secret_id_num_uses"] });
    const sid = await secretId('thrice', { num_uses: 2 });
    expect((await login({ role_id: roleId, secret_id: sid.secret_id })).status).toBe(200);
    const left = await call('POST', 'auth/approle/role/thrice/secret-id/lookup', { secret_id: sid.secret_id });
    expect(left.body.data.secret_id_num_uses).toBe(1);
    expect((await login({ role_id: roleId, secret_id: sid.secret_id })).status).toBe(200);
    expect((await login({ role_id: roleId, secret_id: sid.secret_id })).status).toBe(400);
  });

  it('an expired secret-id (secret_id_ttl) is refused with "invalid secret id"; tidy/secret-id removes it (202)', { timeout: 60_000 }, async () => {
    const roleId = await role('brief', { secret_id_ttl: '2s' });
    const sid = await secretId('brief');
    expect(sid.secret_id_ttl).toBe(2);
    const look = await call('POST', 'auth/approle/role/brief/secret-id/lookup', { secret_id: sid.secret_id });
    expect(Date.parse(look.body.data.expiration_time) - Date.parse(look.body.data.creation_time)).toBe(2000);
    // Logins made before the deadline succeed (and mint tokens); poll until the server refuses.
    const refused = await waitFor('the secret-id to expire', async () => {
      const r = await login({ role_id: roleId, secret_id: sid.secret_id });
      return r.status === 400 ? r : null;
    }, 30_000);
    expect(refused.body).toEqual({ errors: ['invalid secret id'] });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(look.body.data.expiration_time));
    const before = await tokenAccessors();
    expect((await login({ role_id: roleId, secret_id: sid.secret_id })).body).toEqual({ errors: ['invalid secret id'] });
    expect(await tokenAccessors()).toEqual(before); // a refused login mints nothing
    // A secret-id may narrow the role's TTL, never widen it.
    expect((await call('POST', 'auth/approle/role/brief/secret-id', { ttl: '1h' })).body).toEqual({ errors: ["ttl cannot be longer than the role's secret_id_ttl"] });

    expect((await call('POST', 'auth/approle/role/brief/secret-id/lookup', { secret_id: sid.secret_id })).status).toBe(200); // expired, still stored
    const tidy = await call('POST', 'auth/approle/tidy/secret-id');
    expect(tidy.status).toBe(202);
    expect(tidy.body.warnings).toEqual(["Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs."]);
    expect((await call('POST', 'auth/approle/role/brief/secret-id/lookup', { secret_id: sid.secret_id })).status).toBe(204);
  });

  it('a secret-id bound to 10.0.0.0/8 is refused from 127.0.0.1; cidr_list must lie within the role’s; token_bound_cidrs keep the token away too', async () => {
    const roleId = await role('netbound', {});
    const sid = await secretId('netbound', { cidr_list: '10.0.0.0/8' });
    const before = await tokenAccessors();
    const r = await login({ role_id: roleId, secret_id: sid.secret_id });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatch(/^source address "(::ffff:)?127\.0\.0\.1" unauthorized by CIDR restrictions on the secret ID$/);

    const tok = await secretId('netbound', { token_bound_cidrs: ['10.1.0.0/16'] });
    const t = await login({ role_id: roleId, secret_id: tok.secret_id });
    expect(t.status).toBe(403);
    expect(await tokenAccessors()).toEqual(before);

    await role('narrow', { secret_id_bound_cidrs: '127.0.0.0/8' });
    const wide = await call('POST', 'auth/approle/role/narrow/secret-id', { cidr_list: '10.0.0.0/8' });
    expect(wide.status).toBe(400);
    expect(wide.body.errors[0]).toMatch(/^failed to verify subset relationship between CIDR blocks on the role/);
    expect((await call('POST', 'auth/approle/role/narrow/secret-id', { cidr_list: '127.0.0.1/32' })).status).toBe(200);
  });

  it('lookup and destroy by secret-id and by accessor; LIST role/:name/secret-id lists accessors', async () => {
    await role('keys', { token_policies: 'dev' });
    const a = await secretId('keys', { metadata: '{"team":"blue"}' });
    const b = await secretId('keys');
    const list = await call('LIST', 'auth/approle/role/keys/secret-id');
    expect([...list.body.data.keys].sort()).toEqual([a.secret_id_accessor, b.secret_id_accessor].sort());

    const byId = await call('POST', 'auth/approle/role/keys/secret-id/lookup', { secret_id: a.secret_id });
    expect(byId.status).toBe(200);
    expect(Object.keys(byId.body.data).sort()).toEqual(['cidr_list', 'creation_time', 'expiration_time', 'last_updated_time', 'metadata', 'secret_id_accessor', 'secret_id_num_uses', 'secret_id_ttl', 'token_bound_cidrs']);
    expect(byId.body.data).toMatchObject({ metadata: { team: 'blue' }, secret_id_accessor: a.secret_id_accessor, expiration_time: '0001-01-01T00:00:00Z' });
    expect(JSON.stringify(byId.body)).not.toContain(a.secret_id);
    const byAcc = await call('POST', 'auth/approle/role/keys/secret-id-accessor/lookup', { secret_id_accessor: b.secret_id_accessor });
    expect(byAcc.body.data.secret_id_accessor).toBe(b.secret_id_accessor);
    // An accessor is only found under its own role.
    await role('other', {});
    expect((await call('POST', 'auth/approle/role/other/secret-id-accessor/lookup', { secret_id_accessor: b.secret_id_accessor })).status).toBe(404);

    expect((await call('POST', 'auth/approle/role/keys/secret-id/destroy', { secret_id: a.secret_id })).status).toBe(204);
    expect((await call('POST', 'auth/approle/role/keys/secret-id/lookup', { secret_id: a.secret_id })).status).toBe(204);
    expect((await call('POST', 'auth/approle/role/keys/secret-id-accessor/destroy', { secret_id_accessor: b.secret_id_accessor })).status).toBe(204);
    expect((await call('LIST', 'auth/approle/role/keys/secret-id')).status).toBe(404);
    const roleId = (await call('GET', 'auth/approle/role/keys/role-id')).body.data.role_id;
    for (const s of [a, b]) expect((await login({ role_id: roleId, secret_id: s.secret_id })).body).toEqual({ errors: ['invalid role or secret ID'] });
  });

  it('custom secret-id and custom role-id (role/:name/custom-secret-id, POST role/:name/role-id); role/:name/policies', async () => {
    await role('pushed', { token_policies: 'dev' });
    const custom = await call('POST', 'auth/approle/role/pushed/custom-secret-id', { secret_id: 'pushed-secret-0042', ttl: '5m', num_uses: 3 });
    expect(custom.status).toBe(200);
    expect(custom.body.data).toMatchObject({ secret_id: 'pushed-secret-0042', secret_id_ttl: 300, secret_id_num_uses: 3 });
    issued.push('pushed-secret-0042');
    expect((await call('POST', 'auth/approle/role/pushed/custom-secret-id', { secret_id: 'pushed-secret-0042' })).body).toEqual({ errors: ['SecretID is already registered'] });

    expect((await call('POST', 'auth/approle/role/pushed/role-id', { role_id: 'pushed-role-id' })).status).toBe(204);
    expect((await call('GET', 'auth/approle/role/pushed/role-id')).body.data.role_id).toBe('pushed-role-id');
    expect((await call('POST', 'auth/approle/role/other/role-id', { role_id: 'pushed-role-id' })).body).toEqual({ errors: ['role_id already in use'] });
    expect((await call('POST', 'auth/approle/role/pushed/policies', { token_policies: 'ops' })).status).toBe(204);
    expect((await call('GET', 'auth/approle/role/pushed/policies')).body.data).toEqual({ policies: ['ops'], token_policies: ['ops'] });
    const r = await login({ role_id: 'pushed-role-id', secret_id: 'pushed-secret-0042' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.auth.policies).toEqual(['default', 'ops']);
    expect((await call('GET', 'auth/approle/role/pushed/secret-id-ttl')).body.data).toEqual({ secret_id_ttl: 0 });
    expect((await call('POST', 'auth/approle/role/pushed/local-secret-ids', { local_secret_ids: true })).status).toBe(405);
    expect((await call('POST', 'auth/approle/role/pushed', { local_secret_ids: true })).body).toEqual({ errors: ['local_secret_ids can only be modified during role creation'] });
  });

  it('a role cannot mint root: token_policies=root logs in to nothing (Vault’s refusal), and no token is made', async () => {
    for (const [name, fields] of Object.entries({ plain: { token_policies: 'root' }, legacy: { policies: ['dev', 'ROOT'] } })) {
      const roleId = await role(`mallory-${name}`, fields);
      const sid = await secretId(`mallory-${name}`);
      const before = await tokenAccessors();
      const r = await login({ role_id: roleId, secret_id: sid.secret_id });
      expect(r.status, name).toBe(400);
      expect(r.body).toEqual({ errors: ['auth methods cannot create root tokens'] });
      expect(await tokenAccessors()).toEqual(before);
    }
  });

  it('user lockout applies to AppRole as in Vault: 5 wrong secret-ids lock the role_id out, even with the right one', async () => {
    const roleId = await role('guessed', {});
    const sid = await secretId('guessed');
    for (let i = 0; i < 5; i++) expect((await login({ role_id: roleId, secret_id: `wrong-${i}` })).body).toEqual({ errors: ['invalid role or secret ID'] });
    const before = await tokenAccessors();
    const locked = await login({ role_id: roleId, secret_id: sid.secret_id });
    expect(locked.status).toBe(403);
    expect(await tokenAccessors()).toEqual(before);
    const accessor = (await call('GET', 'sys/auth')).body.data['approle/'].accessor;
    expect((await call('POST', `sys/locked-users/${accessor}/unlock/${roleId}`)).status).toBe(204);
    expect((await login({ role_id: roleId, secret_id: sid.secret_id })).status).toBe(200);
  });

  it('deleting a role takes its secret-ids with it', async () => {
    const roleId = await role('doomed', {});
    const sid = await secretId('doomed');
    expect((await call('DELETE', 'auth/approle/role/doomed')).status).toBe(204);
    expect((await call('GET', 'auth/approle/role/doomed')).status).toBe(404);
    expect((await login({ role_id: roleId, secret_id: sid.secret_id })).body).toEqual({ errors: ['invalid role or secret ID'] });
    await role('doomed', {}); // same name again: the old secret-id does not come back
    const again = (await call('GET', 'auth/approle/role/doomed/role-id')).body.data.role_id;
    expect((await login({ role_id: again, secret_id: sid.secret_id })).status).toBe(400);
  });

  it('no secret-id is ever on disk in clear (the SQLite files hold only HMACs and barrier ciphertext)', async () => {
    expect(issued.length).toBeGreaterThan(8);
    const hits = findNeedles(dataFiles(server.dataDir), issued.flatMap((s, i) => needles(`secret_id #${i}`, s)));
    expect(hits).toEqual([]);
  });
});

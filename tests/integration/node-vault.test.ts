import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';

// Seed 003's flow driven by an unmodified Vault client (node-vault) against a
// real `coffer server -dev` process.
const require = createRequire(import.meta.url);
const nodeVault = require('node-vault') as (opts: Record<string, unknown>) => any;

const SUPERUSER = `path "*" {
  capabilities = ["create", "read", "update", "delete", "list", "sudo"]
}`;

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('node-vault against coffer', () => {
  it('runs seed 003: superuser policy, userpass tester, KV v2 as tester', async () => {
    const root = nodeVault({ endpoint: server.addr, token: server.rootToken });
    const health = await root.health();
    expect(health).toMatchObject({ initialized: true, sealed: false });

    await root.addPolicy({ name: 'superuser', rules: SUPERUSER });
    const policies = await root.policies();
    expect(policies.policies).toContain('superuser');

    await root.enableAuth({ mount_point: 'userpass', type: 'userpass', description: 'users' });
    const auths = await root.auths();
    expect(auths['userpass/'].type).toBe('userpass');

    await root.write('auth/userpass/users/tester', { password: 'changeme', policies: 'superuser' });
    const login = await root.userpassLogin({ username: 'tester', password: 'changeme' });
    expect(login.auth.client_token).toMatch(/^hvs\./);
    expect(login.auth.policies).toEqual(['default', 'superuser']);

    const tester = nodeVault({ endpoint: server.addr, token: login.auth.client_token });
    const self = await tester.tokenLookupSelf();
    expect(self.data.display_name).toBe('userpass-tester');

    await tester.write('secret/data/myapp', { data: { password: 'v1' } });
    const w2 = await tester.write('secret/data/myapp', { data: { password: 'v2' } });
    expect(w2.data.version).toBe(2);
    const latest = await tester.read('secret/data/myapp');
    expect(latest.data.data).toEqual({ password: 'v2' });
    const v1 = await tester.read('secret/data/myapp?version=1');
    expect(v1.data.data).toEqual({ password: 'v1' });
    const list = await tester.list('secret/metadata');
    expect(list.data.keys).toContain('myapp');
  });

  it('refuses a wrong password with Vault\'s error and status', async () => {
    const root = nodeVault({ endpoint: server.addr, token: server.rootToken });
    await expect(root.userpassLogin({ username: 'tester', password: 'nope' })).rejects.toMatchObject({ response: { statusCode: 400 } });
  });

  it('wraps a response once: the second unwrap is refused', async () => {
    const root = nodeVault({ endpoint: server.addr, token: server.rootToken });
    await root.write('secret/data/wrapped', { data: { k: 'v' } });
    const wrapped = await api(server.addr, 'GET', 'secret/data/wrapped', { token: server.rootToken, headers: { 'X-Vault-Wrap-TTL': '60s' } });
    expect(wrapped.status).toBe(200);
    expect(wrapped.body.data).toBeNull();
    const wrapToken = wrapped.body.wrap_info.token;
    expect(wrapped.body.wrap_info).toMatchObject({ ttl: 60, creation_path: 'secret/data/wrapped' });

    const lookup = await api(server.addr, 'POST', 'sys/wrapping/lookup', { body: { token: wrapToken } });
    expect(lookup.body.data).toMatchObject({ creation_ttl: 60, creation_path: 'secret/data/wrapped' });

    const unwrapped = await root.unwrap({ token: wrapToken });
    expect(unwrapped.data.data).toEqual({ k: 'v' });
    const again = await api(server.addr, 'POST', 'sys/wrapping/unwrap', { body: { token: wrapToken } });
    expect(again.status).toBe(400);
    expect(again.body.errors[0]).toMatch(/wrapping token is not valid or does not exist/);
  });

  it('gives a limited token 403 outside its policy and lets it in inside', async () => {
    const root = nodeVault({ endpoint: server.addr, token: server.rootToken });
    await root.addPolicy({ name: 'app-ro', rules: 'path "secret/data/app/*" { capabilities = ["read"] }' });
    await root.write('secret/data/app/db', { data: { user: 'u' } });
    await root.write('secret/data/other', { data: { user: 'x' } });
    const created = await root.tokenCreate({ policies: ['app-ro'], ttl: '1h' });
    const limited = nodeVault({ endpoint: server.addr, token: created.auth.client_token });
    expect((await limited.read('secret/data/app/db')).data.data).toEqual({ user: 'u' });
    await expect(limited.read('secret/data/other')).rejects.toMatchObject({ response: { statusCode: 403 } });
    await expect(limited.write('secret/data/app/db', { data: { user: 'evil' } })).rejects.toMatchObject({ response: { statusCode: 403 } });
    await expect(limited.addPolicy({ name: 'x', rules: SUPERUSER })).rejects.toMatchObject({ response: { statusCode: 403 } });
  });

  it('manages tokens: lookup, accessor, renew, revoke with children', async () => {
    const root = nodeVault({ endpoint: server.addr, token: server.rootToken });
    await root.addPolicy({ name: 'creator', rules: 'path "auth/token/create" { capabilities = ["update"] }' });
    const parent = await root.tokenCreate({ policies: ['creator'], ttl: '1h' });
    root.token = server.rootToken; // node-vault adopts a created token as its own (tokenSource)
    const parentClient = nodeVault({ endpoint: server.addr, token: parent.auth.client_token });
    const child = await parentClient.tokenCreate({ ttl: '10m' });
    const byAccessor = await root.tokenLookupAccessor({ accessor: child.auth.accessor });
    expect(byAccessor.data.id).toBe('');
    expect(byAccessor.data.ttl).toBeGreaterThan(500);
    const renewed = await root.tokenRenew({ token: child.auth.client_token, increment: '20m' });
    expect(renewed.auth.lease_duration).toBe(1200);
    root.token = server.rootToken; // tokenRenew adopts the renewed token too
    await root.tokenRevoke({ token: parent.auth.client_token });
    const gone = await api(server.addr, 'GET', 'auth/token/lookup-self', { token: child.auth.client_token });
    expect(gone.status).toBe(403);
  });

  it('makes batch tokens from a token role that work but are not stored', async () => {
    const root = nodeVault({ endpoint: server.addr, token: server.rootToken });
    // node-vault's addTokenRole schema drops token_type, so write the role generically.
    await root.write('auth/token/roles/batchy', { token_type: 'batch', orphan: true, allowed_policies: 'default' });
    const t = await api(server.addr, 'POST', 'auth/token/create/batchy', { token: server.rootToken, body: { ttl: '10m' } });
    expect(t.status).toBe(200);
    expect(t.body.auth.token_type).toBe('batch');
    expect(t.body.auth.client_token).toMatch(/^hvb\./);
    const self = await api(server.addr, 'GET', 'auth/token/lookup-self', { token: t.body.auth.client_token });
    expect(self.status).toBe(200);
    expect(self.body.data.type).toBe('batch');
    const forged = t.body.auth.client_token.slice(0, -4) + 'AAAA';
    expect((await api(server.addr, 'GET', 'auth/token/lookup-self', { token: forged })).status).toBe(403);
  });
});

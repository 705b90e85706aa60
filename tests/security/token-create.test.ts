import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';

// Issue 7 item 1: token creation follows Vault's token-store rules. A child
// gets at most its parent's policies (or its role's allowed ones), names are
// judged after trimming and lower-casing, root never flows to a non-root
// parent, and orphans, periodic tokens and custom ids need sudo. Every
// refusal is Vault's 400, and no token appears behind it.
let server: DevServer;
const root = () => server.rootToken;

async function writePolicy(name: string, policy: string) {
  expect((await api(server.addr, 'PUT', `sys/policies/acl/${name}`, { token: root(), body: { policy } })).status).toBe(204);
}

async function tokenWith(body: Record<string, unknown>): Promise<string> {
  const r = await api(server.addr, 'POST', 'auth/token/create', { token: root(), body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.auth.client_token;
}

/** Every stored token's accessor, as root sees them: a refusal must not add one. */
async function accessors(): Promise<string[]> {
  const r = await api(server.addr, 'GET', 'auth/token/accessors?list=true', { token: root() });
  expect(r.status).toBe(200);
  return [...r.body.data.keys].sort();
}

async function refused(token: string, path: string, body: Record<string, unknown>, message: string | RegExp) {
  const before = await accessors();
  const r = await api(server.addr, 'POST', path, { token, body });
  expect(r.status, JSON.stringify(r.body)).toBe(400);
  expect(r.body.errors.join(' ')).toMatch(message);
  expect(r.body.auth ?? null).toBeNull();
  expect(await accessors()).toEqual(before);
}

const lookupSelf = async (token: string) => (await api(server.addr, 'GET', 'auth/token/lookup-self', { token })).body.data;

beforeAll(async () => {
  server = await startDevServer();
  await writePolicy('ops-creator', 'path "auth/token/create/ops" { capabilities = ["update"] }');
  await writePolicy('creator', 'path "auth/token/create" { capabilities = ["update"] }');
  await writePolicy('sudo-creator', 'path "auth/token/create" { capabilities = ["update", "sudo"] }');
  await writePolicy('devs-creator', 'path "auth/token/create/devs" { capabilities = ["update"] }\npath "auth/token/create/loose" { capabilities = ["update"] }');
  await writePolicy('superuser', 'path "*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }');
  await writePolicy('admin', 'path "sys/*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }');
  expect((await api(server.addr, 'POST', 'auth/token/roles/ops', { token: root(), body: { disallowed_policies: 'admin' } })).status).toBe(204);
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe('token creation through roles', () => {
  it('a token limited to auth/token/create/ops cannot mint root through a role with only disallowed_policies', async () => {
    const ops = await tokenWith({ policies: ['ops-creator'] });
    for (const policies of [['root'], ['ROOT'], [' root '], ['default', 'root'], ['superuser'], ['admin'], ['ADMIN']])
      await refused(ops, 'auth/token/create/ops', { policies }, /child policies must be subset of parent|disallowed by this role/);
    // What the role does allow: the parent's own policies, never an orphan, never root.
    const child = await api(server.addr, 'POST', 'auth/token/create/ops', { token: ops, body: { no_parent: true } });
    expect(child.status).toBe(200);
    expect(child.body.auth.policies).toEqual(['default', 'ops-creator']);
    expect(child.body.auth.orphan).toBe(false);
    // …so the child cannot go on to mint an orphan root either.
    const before = await accessors();
    const orphanRoot = await api(server.addr, 'POST', 'auth/token/create-orphan', { token: child.body.auth.client_token, body: { policies: ['root'] } });
    expect(orphanRoot.status).toBe(403);
    expect(await accessors()).toEqual(before);
  });

  it('a role\'s disallowed_policies cannot be dodged with "ADMIN" or " admin "', async () => {
    expect((await api(server.addr, 'POST', 'auth/token/roles/shouty', { token: root(), body: { disallowed_policies: ' ADMIN ' } })).status).toBe(204);
    expect((await api(server.addr, 'GET', 'auth/token/roles/shouty', { token: root() })).body.data.disallowed_policies).toEqual(['admin']);
    await writePolicy('shouty-creator', 'path "auth/token/create/shouty" { capabilities = ["update"] }\npath "auth/token/create/ops" { capabilities = ["update"] }');
    const holder = await tokenWith({ policies: ['admin', 'shouty-creator'] });
    for (const policies of [['ADMIN'], [' admin '], ['Admin']]) {
      await refused(holder, 'auth/token/create/shouty', { policies }, 'token policy "admin" is disallowed by this role');
      await refused(holder, 'auth/token/create/ops', { policies }, 'token policy "admin" is disallowed by this role');
    }
  });

  it('allowed_policies_glob grants only matching names, and disallowed_policies_glob wins over it', async () => {
    const role = { allowed_policies_glob: 'dev-*', disallowed_policies_glob: 'dev-secret*' };
    expect((await api(server.addr, 'POST', 'auth/token/roles/devs', { token: root(), body: role })).status).toBe(204);
    const creator = await tokenWith({ policies: ['devs-creator'] });
    const ok = await api(server.addr, 'POST', 'auth/token/create/devs', { token: creator, body: { policies: ['DEV-App'] } });
    expect(ok.status).toBe(200);
    expect(ok.body.auth.policies).toEqual(['default', 'dev-app']);
    await refused(creator, 'auth/token/create/devs', { policies: ['prod-db'] }, /must be subset of the role's allowed policies/);
    await refused(creator, 'auth/token/create/devs', { policies: ['dev-secrets'] }, 'token policy "dev-secrets" is disallowed by this role');
    await refused(creator, 'auth/token/create/devs', { policies: ['root'] }, /must be subset of the role's allowed policies/);
  });

  it('a role that lists root in allowed_policies still cannot grant root to a non-root parent', async () => {
    expect((await api(server.addr, 'POST', 'auth/token/roles/loose', { token: root(), body: { allowed_policies: 'root,app' } })).status).toBe(204);
    const creator = await tokenWith({ policies: ['devs-creator'] });
    await refused(creator, 'auth/token/create/loose', { policies: ['root'] }, 'root tokens may not be created without parent token being root');
    await refused(creator, 'auth/token/create/loose', {}, 'root tokens may not be created without parent token being root');
    // A root parent may, as in Vault.
    const byRoot = await api(server.addr, 'POST', 'auth/token/create/loose', { token: root(), body: { policies: ['root'] } });
    expect(byRoot.body.auth.policies).toEqual(['root']);
  });
});

describe('token creation without a role', () => {
  it('a non-root parent cannot give its child policies it does not hold', async () => {
    const creator = await tokenWith({ policies: ['creator'] });
    for (const policies of [['superuser'], ['root'], ['Root'], ['creator', 'admin']])
      await refused(creator, 'auth/token/create', { policies }, /child policies must be subset of parent/);
    const child = await api(server.addr, 'POST', 'auth/token/create', { token: creator, body: { policies: [' CREATOR '] } });
    expect(child.body.auth.policies).toEqual(['creator', 'default']);
  });

  it('a sudo parent that is not root still cannot create root', async () => {
    const sudo = await tokenWith({ policies: ['sudo-creator'] });
    await refused(sudo, 'auth/token/create', { policies: ['root'] }, 'root tokens may not be created without parent token being root');
    const wider = await api(server.addr, 'POST', 'auth/token/create', { token: sudo, body: { policies: ['superuser'] } });
    expect(wider.status).toBe(200); // sudo on the create path lets a parent hand out other policies, as in Vault
  });

  it('orphans, periodic tokens and custom ids need sudo on the create path', async () => {
    const creator = await tokenWith({ policies: ['creator'] });
    await refused(creator, 'auth/token/create', { no_parent: true }, 'root or sudo privileges required to create orphan token');
    await refused(creator, 'auth/token/create', { period: '1h' }, 'root or sudo privileges required to create periodic token');
    await refused(creator, 'auth/token/create', { id: 'hvs.my-chosen-id' }, 'root or sudo privileges required to specify token id');
    expect((await api(server.addr, 'GET', 'auth/token/lookup-self', { token: 'hvs.my-chosen-id' })).status).toBe(403);

    const sudo = await tokenWith({ policies: ['sudo-creator'] });
    const orphan = await api(server.addr, 'POST', 'auth/token/create', { token: sudo, body: { no_parent: true } });
    expect(orphan.body.auth.orphan).toBe(true);
    const periodic = await api(server.addr, 'POST', 'auth/token/create', { token: sudo, body: { period: '1h' } });
    expect((await lookupSelf(periodic.body.auth.client_token)).period).toBe(3600);
    const custom = await api(server.addr, 'POST', 'auth/token/create', { token: sudo, body: { id: 'hvs.sudo-chosen-id' } });
    expect(custom.body.auth.client_token).toBe('hvs.sudo-chosen-id');
  });

  it('a batch token cannot create child tokens', async () => {
    const batch = await tokenWith({ type: 'batch', policies: ['creator'] });
    expect(batch).toMatch(/^hvb\./);
    await refused(batch, 'auth/token/create', {}, 'batch tokens cannot create more tokens');
    await refused(root(), 'auth/token/create', { type: 'batch', policies: ['root'] }, 'batch tokens cannot be root tokens');
  });

  it('a limited-use token cannot create children to escape its use count', async () => {
    const limited = await tokenWith({ policies: ['creator'], num_uses: 5 });
    await refused(limited, 'auth/token/create', {}, 'restricted use token cannot generate child tokens');
  });

  it('an expiring root token cannot create a root token that never expires', async () => {
    const expiring = await tokenWith({ policies: ['root'], ttl: '1h' });
    await refused(expiring, 'auth/token/create-orphan', {}, 'expiring root tokens cannot create non-expiring root tokens');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startConfiguredServer, startDevServer, type ConfiguredServer, type DevServer } from '../support/cluster';
import { pair, waitFor } from '../support/replication';

// User lockout as in Vault ≥ 1.13 (docs concepts/user-lockout): after 5 wrong
// passwords within the counter-reset window a user is refused for 15 minutes
// with 403 "permission denied" before the password is even checked, the lock
// is kept in storage (core/login/lockedUsers/) so a restart does not lift it,
// and sys/locked-users lists and unlocks. Attack: a client guessing passwords.
let server: ConfiguredServer;
let unsealKey = '';
let root = '';
let accessor = '';

const login = (user: string, password: string, mount = 'userpass', addr = server.addr) => api(addr, 'POST', `auth/${mount}/login/${user}`, { body: { password } });
const tokenAccessors = async () => (await api(server.addr, 'LIST', 'auth/token/accessors', { token: root })).body.data.keys.slice().sort();
const lockedUsers = async (addr = server.addr, token = root) => (await api(addr, 'GET', 'sys/locked-users', { token })).body.data;

async function addUser(name: string, password: string, mount = 'userpass') {
  const r = await api(server.addr, 'POST', `auth/${mount}/users/${name}`, { token: root, body: { password, token_policies: 'default' } });
  expect(r.status).toBe(204);
}

async function guessWrong(user: string, times: number, mount = 'userpass') {
  for (let i = 0; i < times; i++) {
    const r = await login(user, `guess-${i}`, mount);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.errors).toEqual(['invalid username or password']);
  }
}

beforeAll(async () => {
  server = await startConfiguredServer({ name: 'lockout' });
  const init = await api(server.addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  unsealKey = init.body.keys[0];
  root = init.body.root_token;
  await api(server.addr, 'PUT', 'sys/unseal', { body: { key: unsealKey } });
  expect((await api(server.addr, 'POST', 'sys/auth/userpass', { token: root, body: { type: 'userpass' } })).status).toBe(204);
  accessor = (await api(server.addr, 'GET', 'sys/auth/userpass', { token: root })).body.data.accessor;
  for (const u of ['alice', 'bob', 'dave']) await addUser(u, `${u}-right-password`);
});
afterAll(async () => {
  await server?.stop();
});

describe('userpass lockout', () => {
  it('a password-guessing client is locked out after 5 failures, even with the right password, until unlocked via sys/locked-users', async () => {
    expect((await login('alice', 'alice-right-password')).status).toBe(200);
    await guessWrong('alice', 5);
    const before = await tokenAccessors();
    const locked = await login('alice', 'alice-right-password');
    expect(locked.status).toBe(403);
    expect(locked.body).toEqual({ errors: ['permission denied'] });
    expect(await tokenAccessors()).toEqual(before); // no token minted
    expect(await lockedUsers()).toEqual({
      by_namespace: [{ namespace_id: 'root', namespace_path: '', counts: 1, mount_accessors: [{ mount_accessor: accessor, counts: 1, alias_identifiers: ['alice'] }] }],
      total: 1,
    });
    const filtered = (await api(server.addr, 'GET', `sys/locked-users?mount_accessor=${accessor}`, { token: root })).body.data;
    expect(filtered.total).toBe(1);

    expect((await api(server.addr, 'POST', `sys/locked-users/${accessor}/unlock/alice`, { token: root })).status).toBe(204);
    expect((await api(server.addr, 'POST', `sys/locked-users/${accessor}/unlock/alice`, { token: root })).status).toBe(204); // idempotent
    const ok = await login('alice', 'alice-right-password');
    expect(ok.status).toBe(200);
    expect(ok.body.auth.client_token).toMatch(/^hvs\./);
    expect((await lockedUsers()).total).toBe(0);
  });

  it('a burst of concurrent guesses cannot outrun the lock: only 5 are checked, the rest are refused', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => login('dave', `burst-${i}`)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(5);
    expect(statuses.filter((s) => s === 403)).toHaveLength(15);
    expect((await login('dave', 'dave-right-password')).status).toBe(403);
  });

  it('unknown usernames lock the same way, so a 403 reveals nothing about who exists', async () => {
    await guessWrong('nobody-here', 5);
    expect((await login('nobody-here', 'anything')).status).toBe(403);
    expect((await lockedUsers()).by_namespace[0].mount_accessors[0].alias_identifiers).toContain('nobody-here');
  });

  it('only a token whose policy allows it may list or unlock locked users', async () => {
    const user = await api(server.addr, 'POST', 'auth/token/create', { token: root, body: { policies: ['default'] } });
    const t = user.body.auth.client_token;
    expect((await api(server.addr, 'GET', 'sys/locked-users', { token: t })).status).toBe(403);
    expect((await api(server.addr, 'POST', `sys/locked-users/${accessor}/unlock/dave`, { token: t })).status).toBe(403);
    expect((await login('dave', 'dave-right-password')).status).toBe(403);
  });

  it('the lock survives a restart (it lives in storage, not in memory)', async () => {
    await guessWrong('bob', 5);
    expect((await login('bob', 'bob-right-password')).status).toBe(403);
    await server.stop();
    server = await server.restart();
    await api(server.addr, 'PUT', 'sys/unseal', { body: { key: unsealKey } });
    expect((await login('bob', 'bob-right-password')).status).toBe(403);
    expect((await lockedUsers()).by_namespace[0].mount_accessors[0].alias_identifiers).toEqual(expect.arrayContaining(['bob', 'dave', 'nobody-here']));
    expect((await api(server.addr, 'POST', `sys/locked-users/${accessor}/unlock/bob`, { token: root })).status).toBe(204);
    expect((await login('bob', 'bob-right-password')).status).toBe(200);
  });

  it('lockout is tuned on the auth mount with Vault\'s fields; a short lockout_duration lifts the lock by itself', async () => {
    expect((await api(server.addr, 'POST', 'sys/auth/short', { token: root, body: { type: 'userpass' } })).status).toBe(204);
    await addUser('carol', 'carol-right-password', 'short');
    const tune = await api(server.addr, 'POST', 'sys/auth/short/tune', {
      token: root,
      body: { user_lockout_config: { lockout_threshold: '3', lockout_duration: '6s', lockout_counter_reset_duration: '10m' } },
    });
    expect(tune.status, JSON.stringify(tune.body)).toBe(204);
    const read = await api(server.addr, 'GET', 'sys/auth/short/tune', { token: root });
    expect(read.body.data).toMatchObject({ user_lockout_threshold: 3, user_lockout_duration: 6, user_lockout_counter_reset_duration: 600, user_lockout_disable: false });
    expect((await api(server.addr, 'GET', 'sys/auth', { token: root })).body.data['short/'].config.user_lockout_config).toMatchObject({ user_lockout_threshold: 3 });

    await guessWrong('carol', 3, 'short');
    expect((await login('carol', 'carol-right-password', 'short')).status).toBe(403);
    // Wait for the app to lift it (polling with the right password: refused attempts do not count).
    await waitFor('the 6s lock to lift', async () => (await login('carol', 'carol-right-password', 'short')).status === 200, 60_000, 250);
  });

  it('tuning refuses bad settings and methods without lockout; lockout_disable turns it off', async () => {
    expect((await api(server.addr, 'POST', 'sys/auth/short/tune', { token: root, body: { user_lockout_config: { lockout_threshold: 'lots' } } })).status).toBe(400);
    expect((await api(server.addr, 'POST', 'sys/auth/short/tune', { token: root, body: { user_lockout_config: { lockout_duration: 'forever' } } })).status).toBe(400);
    expect((await api(server.addr, 'POST', 'sys/mounts/cubbyhole/tune', { token: root, body: { user_lockout_config: { lockout_threshold: '3' } } })).status).toBe(400);
    expect((await api(server.addr, 'POST', 'sys/auth/short/tune', { token: root, body: { user_lockout_config: { lockout_disable: true } } })).status).toBe(204);
    await guessWrong('carol', 8, 'short');
    expect((await login('carol', 'carol-right-password', 'short')).status).toBe(200);
  });
});

describe('userpass lockout on a performance secondary', () => {
  let primary: DevServer;
  let secondary: DevServer;

  beforeAll(async () => {
    [primary, secondary] = await Promise.all([startDevServer(), startDevServer()]);
    await api(primary.addr, 'POST', 'sys/auth/userpass', { token: primary.rootToken, body: { type: 'userpass' } });
    await api(primary.addr, 'POST', 'auth/userpass/users/erin', { token: primary.rootToken, body: { password: 'erin-right-password' } });
    await pair({ addr: primary.addr, token: primary.rootToken }, { addr: secondary.addr, token: secondary.rootToken }, 'performance', 'perf-lockout');
    await waitFor('erin to replicate', async () => (await login('erin', 'erin-right-password', 'userpass', secondary.addr)).status === 200, 30_000);
  });
  afterAll(async () => {
    await Promise.all([primary?.stop(), secondary?.stop()]);
  });

  it('a lock on the secondary is local to that cluster: the primary still admits the user', async () => {
    for (let i = 0; i < 5; i++) expect((await login('erin', `wrong-${i}`, 'userpass', secondary.addr)).status).toBe(400);
    expect((await login('erin', 'erin-right-password', 'userpass', secondary.addr)).status).toBe(403);
    expect((await login('erin', 'erin-right-password', 'userpass', primary.addr)).status).toBe(200);
    expect((await lockedUsers(primary.addr, primary.rootToken)).total).toBe(0);
    // The secondary serves its own sys/locked-users (the primary's root token replicates).
    expect((await lockedUsers(secondary.addr, primary.rootToken)).total).toBe(1);
  });
});

describe('user_lockout in the server config file', () => {
  let s: ConfiguredServer;
  let token = '';

  beforeAll(async () => {
    s = await startConfiguredServer({ name: 'lockout-config', extraConfig: 'user_lockout "userpass" {\n  lockout_threshold = "2"\n}' });
    const init = await api(s.addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    token = init.body.root_token;
    await api(s.addr, 'PUT', 'sys/unseal', { body: { key: init.body.keys[0] } });
    for (const m of ['userpass', 'tuned']) {
      await api(s.addr, 'POST', `sys/auth/${m}`, { token, body: { type: 'userpass' } });
      await api(s.addr, 'POST', `auth/${m}/users/frank`, { token, body: { password: 'frank-right-password' } });
    }
    await api(s.addr, 'POST', 'sys/auth/tuned/tune', { token, body: { user_lockout_config: { lockout_threshold: '4' } } });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('sets the threshold for mounts that were not tuned; a mount\'s tune still wins', async () => {
    const try_ = (mount: string, pw: string) => login('frank', pw, mount, s.addr).then((r) => r.status);
    expect([await try_('userpass', 'x1'), await try_('userpass', 'x2')]).toEqual([400, 400]);
    expect(await try_('userpass', 'frank-right-password')).toBe(403);
    expect([await try_('tuned', 'x1'), await try_('tuned', 'x2'), await try_('tuned', 'x3')]).toEqual([400, 400, 400]);
    expect(await try_('tuned', 'frank-right-password')).toBe(200);
  });
});

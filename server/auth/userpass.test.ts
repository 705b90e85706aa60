import { describe, expect, it } from 'vitest';
import type { Operation } from '../core/request';
import { testRequest, testStorage } from '../engines/kv/test-storage';
import { InvalidCredentialsError } from '../errors';
import { UserpassBackend } from './userpass';

function setup() {
  const s = testStorage('auth/userpass-uuid/');
  return { ...s, up: new UserpassBackend(s.view) };
}
const rq = (op: Operation, path: string, data: Record<string, unknown> = {}, remoteAddr = '127.0.0.1') =>
  testRequest(op, path, data, { mountPoint: 'auth/userpass/', remoteAddr });

describe('userpass users', () => {
  it('creates a user and reads it back without any password material', async () => {
    const { up, physical } = setup();
    expect(await up.handle(rq('create', 'users/Tester', { password: 'correct horse', token_policies: 'dev, ops ,', token_ttl: '1h', token_max_ttl: 7200 }))).toEqual({
      status: 204,
    });
    const res = await up.handle(rq('read', 'users/tester'));
    expect(res!.data).toEqual({
      token_bound_cidrs: [],
      token_explicit_max_ttl: 0,
      token_max_ttl: 7200,
      token_no_default_policy: false,
      token_num_uses: 0,
      token_period: 0,
      token_policies: ['dev', 'ops'],
      token_ttl: 3600,
      token_type: 'default',
    });
    expect(JSON.stringify(res)).not.toMatch(/password|hash|salt/);
    // Stored under the lowercased name.
    const stored = physical.keysUnder('auth/userpass-uuid/user/');
    expect(stored).toEqual(['auth/userpass-uuid/user/tester']);
  });

  it('stores an scrypt hash with a random salt, never the password', async () => {
    const { up, view } = setup();
    await up.handle(rq('create', 'users/a', { password: 'same-password' }));
    await up.handle(rq('create', 'users/b', { password: 'same-password' }));
    const a = view.getJSON<{ password: { alg: string; N: number; salt: string; hash: string } }>('user/a')!;
    const b = view.getJSON<{ password: { salt: string; hash: string } }>('user/b')!;
    expect(a.password).toMatchObject({ alg: 'scrypt', N: 16384 });
    expect(a.password.salt).not.toBe(b.password.salt);
    expect(a.password.hash).not.toBe(b.password.hash);
    expect(JSON.stringify(a)).not.toContain('same-password');
  });

  it('requires a password on create but not on update', async () => {
    const { up } = setup();
    await expect(up.handle(rq('create', 'users/nopw', { token_policies: ['a'] }))).rejects.toThrow('missing password');
    await up.handle(rq('create', 'users/u', { password: 'pw' }));
    await up.handle(rq('update', 'users/u', { token_policies: ['x', 'y'] }));
    expect((await up.handle(rq('read', 'users/u')))!.data!.token_policies).toEqual(['x', 'y']);
    expect((await up.handle(rq('update', 'login/u', { password: 'pw' })))!.login!.policies).toEqual(['x', 'y']);
  });

  it('accepts the deprecated "policies" field and echoes it on read, like Vault', async () => {
    const { up } = setup();
    await up.handle(rq('create', 'users/old', { password: 'pw', policies: ['p1', 'p2'] }));
    const data = (await up.handle(rq('read', 'users/old')))!.data!;
    expect(data.token_policies).toEqual(['p1', 'p2']);
    expect(data.policies).toEqual(['p1', 'p2']);
    await expect(up.handle(rq('update', 'users/old', { policies: 'a', token_policies: 'b' }))).rejects.toMatchObject({ status: 400 });
    await up.handle(rq('update', 'users/old', { token_policies: 'b' }));
    expect((await up.handle(rq('read', 'users/old')))!.data!.policies).toBeUndefined();
  });

  it('rejects bad token fields with messages naming them', async () => {
    const { up } = setup();
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ token_ttl: 'forever' }, /"token_ttl"/],
      [{ token_max_ttl: true }, /"token_max_ttl"/],
      [{ token_num_uses: 'x' }, /"token_num_uses"/],
      [{ token_num_uses: -1 }, /token_num_uses/],
      [{ token_policies: { a: 1 } }, /"token_policies"/],
      [{ token_type: 'weird' }, /token_type/],
      [{ token_type: 'batch', token_period: '1h' }, /periodic/],
      [{ token_ttl: '2h', token_max_ttl: '1h' }, /cannot be greater/],
      [{ token_bound_cidrs: ['10.0.0.0/33'] }, /"token_bound_cidrs"/],
      [{ password: 42 }, /"password"/],
    ];
    for (const [fields, msg] of bad) {
      await expect(up.handle(rq('create', 'users/bad', { password: 'pw', ...fields }))).rejects.toThrow(msg);
    }
    expect(await up.handle(rq('read', 'users/bad'))).toEqual({ status: 404, data: null });
  });

  it('lists and deletes users; names are case-insensitive', async () => {
    const { up } = setup();
    expect(await up.handle(rq('list', 'users/'))).toEqual({ status: 404, data: null });
    await up.handle(rq('create', 'users/Alice', { password: 'a' }));
    await up.handle(rq('create', 'users/bob', { password: 'b' }));
    expect(await up.handle(rq('list', 'users'))).toEqual({ data: { keys: ['alice', 'bob'] } });
    expect(up.exists(rq('update', 'users/ALICE'))).toBe(true);
    expect(await up.handle(rq('delete', 'users/ALICE'))).toEqual({ status: 204 });
    expect(await up.handle(rq('read', 'users/alice'))).toEqual({ status: 404, data: null });
    expect(up.exists(rq('update', 'users/alice'))).toBe(false);
  });

  it('returns null for paths it does not have', async () => {
    const { up } = setup();
    for (const p of ['', 'users/a/b', 'users/-bad', 'login/', 'login/a/b', 'config']) expect(await up.handle(rq('read', p))).toBeNull();
  });
});

describe('userpass login', () => {
  it('logs in with the right password and returns the token parameters', async () => {
    const { up } = setup();
    await up.handle(
      rq('create', 'users/tester', { password: 'pw1', token_policies: 'dev', token_ttl: '30m', token_max_ttl: '2h', token_num_uses: 5, token_type: 'service' }),
    );
    const res = await up.handle(rq('update', 'login/TESTER', { password: 'pw1' }));
    expect(res).toEqual({
      login: {
        policies: ['dev'],
        displayName: 'userpass-tester',
        metadata: { username: 'tester' },
        ttl: 1800,
        explicitMaxTtl: 7200,
        period: 0,
        numUses: 5,
        renewable: true,
        tokenType: 'service',
      },
    });
    expect(up.unauthenticatedPaths).toEqual(['login/*']);
  });

  it('uses the mount path in the display name', async () => {
    const { up } = setup();
    await up.handle(rq('create', 'users/x', { password: 'p' }));
    const req = testRequest('update', 'login/x', { password: 'p' }, { mountPoint: 'auth/corp/ldap-ish/' });
    expect((await up.handle(req))!.login!.displayName).toBe('corp-ldap-ish-x');
  });

  it('refuses a wrong password or unknown user with the same 400', async () => {
    const { up } = setup();
    await up.handle(rq('create', 'users/tester', { password: 'right' }));
    await expect(up.handle(rq('update', 'login/tester', { password: 'wrong' }))).rejects.toMatchObject({ status: 400, message: 'invalid username or password' });
    await expect(up.handle(rq('update', 'login/nobody', { password: 'right' }))).rejects.toMatchObject({ status: 400, message: 'invalid username or password' });
    await expect(up.handle(rq('update', 'login/tester', {}))).rejects.toThrow('missing password');
    // Only the wrong-credentials answers count toward user lockout.
    await expect(up.handle(rq('update', 'login/tester', { password: 'wrong' }))).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(up.handle(rq('update', 'login/tester', {}))).rejects.not.toBeInstanceOf(InvalidCredentialsError);
  });

  it('names the user a login is for, for lockout (the lowercased name), and nothing else', () => {
    const { up } = setup();
    expect(up.loginAlias(rq('update', 'login/Alice'))).toBe('alice');
    for (const p of ['users/alice', 'users', 'login/', 'login/a/b']) expect(up.loginAlias(rq('update', p))).toBeNull();
  });

  it('a password change takes effect at once', async () => {
    const { up } = setup();
    await up.handle(rq('create', 'users/tester', { password: 'old' }));
    expect(await up.handle(rq('update', 'users/tester/password', { password: 'new' }))).toEqual({ status: 204 });
    await expect(up.handle(rq('update', 'login/tester', { password: 'old' }))).rejects.toThrow('invalid username or password');
    expect((await up.handle(rq('update', 'login/tester', { password: 'new' })))!.login).toBeDefined();
    await expect(up.handle(rq('update', 'users/tester/password', {}))).rejects.toThrow('missing password');
    await expect(up.handle(rq('update', 'users/ghost/password', { password: 'x' }))).rejects.toThrow('username does not exist');
  });

  it('users/:name/policies replaces the policies used by later logins', async () => {
    const { up } = setup();
    await up.handle(rq('create', 'users/tester', { password: 'pw', token_policies: 'a' }));
    await up.handle(rq('update', 'users/tester/policies', { token_policies: ['b', 'c', 'b'] }));
    expect((await up.handle(rq('update', 'login/tester', { password: 'pw' })))!.login!.policies).toEqual(['b', 'c']);
  });

  it('enforces token_bound_cidrs at login', async () => {
    const { up } = setup();
    await up.handle(rq('create', 'users/net', { password: 'pw', token_bound_cidrs: '10.0.0.0/8, 192.168.1.5' }));
    expect((await up.handle(rq('update', 'login/net', { password: 'pw' }, '10.1.2.3')))!.login).toBeDefined();
    expect((await up.handle(rq('update', 'login/net', { password: 'pw' }, '::ffff:192.168.1.5')))!.login).toBeDefined();
    await expect(up.handle(rq('update', 'login/net', { password: 'pw' }, '127.0.0.1'))).rejects.toMatchObject({ status: 403 });
  });

  it('maps batch token types and gives batch tokens no period', async () => {
    const { up } = setup();
    await up.handle(rq('create', 'users/b', { password: 'pw', token_type: 'default-batch' }));
    expect((await up.handle(rq('update', 'login/b', { password: 'pw' })))!.login!.tokenType).toBe('batch');
  });
});

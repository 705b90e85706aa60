import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testStorage } from '../engines/kv/test-storage';
import { InvalidCredentialsError, VaultError } from '../errors';
import { classOf } from '../storage/key-class';
import type { Response } from './request';
import { LOCKED_USERS_PREFIX, UserLockout, type LockoutMount } from './user-lockout';
import { DEFAULT_LOCKOUT_DURATION_S, effectiveLockout, tuneUserLockout, type UserLockoutConfig, type UserLockoutDefaults } from './user-lockout-config';

const MIN = 60_000;

function setup(config?: Partial<UserLockoutConfig>, type = 'userpass', fromConfig: UserLockoutDefaults = {}) {
  const { barrier } = testStorage();
  const mount: LockoutMount = { type, accessor: 'auth_userpass_1234abcd', config: config ? { user_lockout_config: { lockout_threshold: 0, lockout_duration: 0, lockout_counter_reset: 0, disable_lockout: false, ...config } } : {} };
  const clock = { now: 1_700_000_000_000 };
  let lockout = new UserLockout(barrier, (a) => (a === mount.accessor ? mount : undefined), fromConfig, () => clock.now);
  let ran = 0;
  const attempt = (ok: boolean) => async (): Promise<Response> => {
    ran++;
    await new Promise((r) => setImmediate(r)); // a login hashes a password: it yields
    if (!ok) throw new InvalidCredentialsError();
    return { login: { policies: [], displayName: 'u' } };
  };
  const login = (alias: string, ok: boolean) => lockout.login(mount, alias, attempt(ok));
  const restart = () => (lockout = new UserLockout(barrier, (a) => (a === mount.accessor ? mount : undefined), fromConfig, () => clock.now));
  return { barrier, mount, clock, login, restart, lockout: () => lockout, ran: () => ran };
}

const denied = { status: 403, message: 'permission denied' };
const invalid = { status: 400, message: 'invalid username or password' };

describe('UserLockout', () => {
  it('locks a user after 5 failures, even with the right password, for 15 minutes', async () => {
    const s = setup();
    for (let i = 0; i < 5; i++) await expect(s.login('alice', false)).rejects.toMatchObject(invalid);
    const before = s.ran();
    await expect(s.login('alice', true)).rejects.toMatchObject(denied);
    expect(s.ran()).toBe(before); // the auth method never ran
    await expect(s.login('bob', true)).resolves.toHaveProperty('login'); // others are unaffected
    s.clock.now += DEFAULT_LOCKOUT_DURATION_S * 1000 - 1;
    await expect(s.login('alice', true)).rejects.toMatchObject(denied);
    s.clock.now += 2;
    await expect(s.login('alice', true)).resolves.toHaveProperty('login');
  });

  it('a success before the threshold resets the count; failures spread past the counter reset do not add up', async () => {
    const s = setup({ lockout_counter_reset: 60 });
    for (let i = 0; i < 4; i++) await expect(s.login('alice', false)).rejects.toMatchObject(invalid);
    await s.login('alice', true);
    for (let i = 0; i < 4; i++) await expect(s.login('alice', false)).rejects.toMatchObject(invalid);
    s.clock.now += MIN + 1;
    for (let i = 0; i < 4; i++) await expect(s.login('alice', false)).rejects.toMatchObject(invalid);
    await expect(s.login('alice', true)).resolves.toHaveProperty('login');
  });

  it('keeps the lock in storage under core/login/lockedUsers/, a local key, so a restart keeps it', async () => {
    const s = setup({ lockout_threshold: 2 });
    await expect(s.login('alice', false)).rejects.toMatchObject(invalid);
    expect(s.barrier.physical.keysUnder(LOCKED_USERS_PREFIX)).toEqual([]); // counters live in memory only
    await expect(s.login('alice', false)).rejects.toMatchObject(invalid);
    const keys = s.barrier.physical.keysUnder(LOCKED_USERS_PREFIX);
    expect(keys).toEqual([`${LOCKED_USERS_PREFIX}root/${s.mount.accessor}/alice`]);
    expect(classOf(keys[0])).toBe('local');
    s.restart();
    await expect(s.login('alice', true)).rejects.toMatchObject(denied);
    expect(s.lockout().lockedUsers()).toEqual({
      by_namespace: [{ namespace_id: 'root', namespace_path: '', counts: 1, mount_accessors: [{ mount_accessor: s.mount.accessor, counts: 1, alias_identifiers: ['alice'] }] }],
      total: 1,
    });
  });

  it('unlock lifts the lock at once and is idempotent; expired locks are not listed', async () => {
    const s = setup({ lockout_threshold: 1, lockout_duration: 60 });
    await expect(s.login('alice', false)).rejects.toMatchObject(invalid);
    await expect(s.login('bob', false)).rejects.toMatchObject(invalid);
    expect(s.lockout().lockedUsers().total).toBe(2);
    s.lockout().unlock(s.mount.accessor, 'alice');
    s.lockout().unlock(s.mount.accessor, 'alice');
    s.lockout().unlock(s.mount.accessor, 'nobody');
    await expect(s.login('alice', true)).resolves.toHaveProperty('login');
    expect(s.lockout().lockedUsers(s.mount.accessor).by_namespace[0].mount_accessors[0].alias_identifiers).toEqual(['bob']);
    s.clock.now += MIN;
    expect(s.lockout().lockedUsers()).toEqual({ by_namespace: [], total: 0 });
  });

  it('does nothing when disabled on the mount, or for methods Vault does not lock (token)', async () => {
    for (const s of [setup({ disable_lockout: true }), setup(undefined, 'token')]) {
      for (let i = 0; i < 10; i++) await expect(s.login('alice', false)).rejects.toMatchObject(invalid);
      await expect(s.login('alice', true)).resolves.toHaveProperty('login');
    }
  });

  it('counts only wrong credentials: other errors (a missing password, a refused CIDR) do not lock', async () => {
    const s = setup({ lockout_threshold: 1 });
    for (let i = 0; i < 3; i++)
      await expect(s.lockout().login(s.mount, 'alice', async () => Promise.reject(new VaultError('invalid_request', 'missing password')))).rejects.toThrow('missing password');
    await expect(s.login('alice', true)).resolves.toHaveProperty('login');
  });

  it('a burst of concurrent guesses cannot outrun the threshold: exactly 5 reach the method', async () => {
    const s = setup();
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => s.login('alice', false)));
    const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as VaultError).status : 200));
    expect(reasons.filter((x) => x === 400)).toHaveLength(5);
    expect(reasons.filter((x) => x === 403)).toHaveLength(25);
    expect(s.ran()).toBe(5);
  });

  it('model check: no attempt runs while locked, across waits, unlocks and restarts', async () => {
    const T = 3;
    const D = 10 * MIN;
    const R = 5 * MIN;
    const event = fc.oneof(
      fc.constant({ kind: 'fail' as const }),
      fc.constant({ kind: 'ok' as const }),
      fc.constant({ kind: 'unlock' as const }),
      fc.constant({ kind: 'restart' as const }),
      fc.integer({ min: 1, max: 12 * MIN }).map((ms) => ({ kind: 'wait' as const, ms })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(event, { maxLength: 40 }), async (events) => {
        const s = setup({ lockout_threshold: T, lockout_duration: D / 1000, lockout_counter_reset: R / 1000 });
        // The obvious slow model: in-memory counter + persisted lock time.
        let mem: { count: number; last: number } | null = null;
        let stored: number | null = null;
        const lockedNow = () => {
          const now = s.clock.now;
          if (mem) return mem.count >= T && now - mem.last < D;
          return stored !== null && now - stored < D;
        };
        for (const e of events) {
          if (e.kind === 'wait') s.clock.now += e.ms;
          else if (e.kind === 'restart') (s.restart(), (mem = null));
          else if (e.kind === 'unlock') (s.lockout().unlock(s.mount.accessor, 'alice'), (mem = null), (stored = null));
          else {
            const ranBefore = s.ran();
            const expectLocked = lockedNow();
            const outcome = await s.login('alice', e.kind === 'ok').then(
              () => 200,
              (err: VaultError) => err.status,
            );
            if (expectLocked) {
              expect(outcome).toBe(403);
              expect(s.ran()).toBe(ranBefore);
            } else if (e.kind === 'ok') {
              expect(outcome).toBe(200);
              mem = null;
            } else {
              expect(outcome).toBe(400);
              const now = s.clock.now;
              const count: number = mem && now - mem.last <= R ? mem.count + 1 : 1;
              mem = { count, last: now };
              if (count >= T) stored = now;
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('effectiveLockout', () => {
  it('takes each field from the tune, else the method\'s config stanza, else "all", else the default', () => {
    const fromConfig: UserLockoutDefaults = { all: { lockout_threshold: 10, lockout_duration: 600 }, userpass: { lockout_threshold: 7 } };
    expect(effectiveLockout('userpass', undefined, fromConfig)).toEqual({ threshold: 7, durationMs: 600_000, counterResetMs: 900_000, disabled: false });
    expect(effectiveLockout('ldap', undefined, fromConfig)).toMatchObject({ threshold: 10 });
    const tuned = { lockout_threshold: 3, lockout_duration: 0, lockout_counter_reset: 30, disable_lockout: false };
    expect(effectiveLockout('userpass', tuned, fromConfig)).toEqual({ threshold: 3, durationMs: 600_000, counterResetMs: 30_000, disabled: false });
    expect(effectiveLockout('userpass', undefined)).toEqual({ threshold: 5, durationMs: 900_000, counterResetMs: 900_000, disabled: false });
  });

  it('is disabled by any layer and for methods Vault does not lock', () => {
    expect(effectiveLockout('userpass', undefined, { all: { disable_lockout: true } }).disabled).toBe(true);
    expect(effectiveLockout('userpass', undefined, { all: { disable_lockout: true }, userpass: { disable_lockout: false } }).disabled).toBe(false);
    expect(effectiveLockout('userpass', { lockout_threshold: 0, lockout_duration: 0, lockout_counter_reset: 0, disable_lockout: true }).disabled).toBe(true);
    expect(effectiveLockout('token', undefined).disabled).toBe(true);
  });

  it('a config-file stanza applies to logins on a mount that was never tuned', async () => {
    const s = setup(undefined, 'userpass', { userpass: { lockout_threshold: 2 } });
    for (let i = 0; i < 2; i++) await expect(s.login('alice', false)).rejects.toMatchObject(invalid);
    await expect(s.login('alice', true)).rejects.toMatchObject(denied);
  });
});

describe('tuneUserLockout', () => {
  it('takes Vault field names, "system" resets a duration, unknown keys are ignored', () => {
    const t = tuneUserLockout('userpass', undefined, { lockout_threshold: '20', lockout_duration: '5m', lockout_counter_reset_duration: '90s', lockout_disable: false, other: 1 });
    expect(t).toEqual({ lockout_threshold: 20, lockout_duration: 300, lockout_counter_reset: 90, disable_lockout: false });
    expect(tuneUserLockout('userpass', t, { lockout_duration: 'system', lockout_counter_reset: '1m' })).toEqual({ ...t, lockout_duration: 0, lockout_counter_reset: 60 });
    expect(tuneUserLockout('userpass', t, {})).toBe(t);
    expect(tuneUserLockout('userpass', t, undefined)).toBe(t);
  });

  it('refuses bad values and methods without lockout with 400', () => {
    const bad: [string, unknown][] = [
      ['userpass', { lockout_threshold: 'many' }],
      ['userpass', { lockout_threshold: -1 }],
      ['userpass', { lockout_duration: 'forever' }],
      ['userpass', { lockout_disable: 'maybe' }],
      ['userpass', 'threshold=5'],
      ['token', { lockout_threshold: 3 }],
      ['kv', { lockout_threshold: 3 }],
    ];
    for (const [type, raw] of bad) expect(() => tuneUserLockout(type, undefined, raw), JSON.stringify(raw)).toThrow(VaultError);
  });
});

import type { Barrier } from '../barrier/barrier';
import { InvalidCredentialsError, permissionDenied } from '../errors';
import type { Response } from './request';
import { effectiveLockout, type EffectiveLockout, type UserLockoutConfig, type UserLockoutDefaults } from './user-lockout-config';

// User lockout (vault/request_handling.go handleLoginRequest, isUserLocked,
// failedUserLoginProcess; vault/locked_users.go). As in Vault:
//  - failed-login counters live in memory, keyed by mount accessor + alias;
//  - reaching the threshold writes core/login/lockedUsers/<ns>/<accessor>/<alias>
//    (here: the lock time, unix ms), so a lock survives a restart or seal;
//  - a locked user is refused with 403 "permission denied" before the auth
//    method runs, even with the right password; a success clears the counter.
// The key class of that prefix is `local`: on a performance secondary
// lockout is the cluster's own.
export const LOCKED_USERS_PREFIX = 'core/login/lockedUsers/';
const NAMESPACE_ID = 'root';
/** Cap on tracked (alias, mount) counters, so guessing random names cannot grow memory without bound. */
export const MAX_TRACKED_FAILURES = 100_000;

export interface LockoutMount {
  type: string;
  accessor: string;
  config: { user_lockout_config?: UserLockoutConfig };
}

interface Failures {
  count: number;
  lastMs: number;
}

export interface LockedUsersView {
  by_namespace: { namespace_id: string; namespace_path: string; counts: number; mount_accessors: { mount_accessor: string; counts: number; alias_identifiers: string[] }[] }[];
  total: number;
}

export class UserLockout {
  private readonly failures = new Map<string, Failures>();
  /** Per-user queue: concurrent guesses are judged one after another, so a burst cannot outrun the threshold. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly barrier: Barrier,
    private readonly mountByAccessor: (accessor: string) => LockoutMount | undefined,
    /** The server config file's user_lockout stanzas. */
    private readonly fromConfig: UserLockoutDefaults = {},
    private readonly now: () => number = Date.now,
  ) {}

  private settings(mount: LockoutMount): EffectiveLockout {
    return effectiveLockout(mount.type, mount.config.user_lockout_config, this.fromConfig);
  }

  /** Run a login attempt under lockout rules. `attempt` throws InvalidCredentialsError for a wrong secret. */
  async login(mount: LockoutMount, alias: string, attempt: () => Promise<Response | null>): Promise<Response | null> {
    if (this.settings(mount).disabled || !validAlias(alias)) return attempt();
    return this.serialized(keyOf(mount.accessor, alias), async () => {
      if (this.isLocked(mount, alias)) throw permissionDenied();
      try {
        const res = await attempt();
        if (res?.login) this.failures.delete(keyOf(mount.accessor, alias));
        return res;
      } catch (err) {
        if (err instanceof InvalidCredentialsError) this.recordFailure(mount, alias);
        throw err;
      }
    });
  }

  isLocked(mount: LockoutMount, alias: string): boolean {
    const cfg = this.settings(mount);
    if (cfg.disabled) return false;
    const now = this.now();
    const f = this.failures.get(keyOf(mount.accessor, alias));
    if (f) return f.count >= cfg.threshold && now - f.lastMs < cfg.durationMs;
    // Not seen since start-up: a lock written before a restart still holds.
    const lockedAt = this.barrier.getJSON<number>(pathOf(mount.accessor, alias));
    if (lockedAt === null) return false;
    if (now - lockedAt < cfg.durationMs) return true;
    this.barrier.delete(pathOf(mount.accessor, alias)); // stale: Vault's cleanup loop would remove it
    return false;
  }

  /** sys/locked-users/:accessor/unlock/:alias — idempotent, as in Vault. */
  unlock(accessor: string, alias: string): void {
    if (!validAlias(accessor) || !validAlias(alias)) return;
    this.barrier.delete(pathOf(accessor, alias));
    this.failures.delete(keyOf(accessor, alias));
  }

  /** sys/locked-users: Vault's response shape, counts in decreasing order; expired locks are not listed. */
  lockedUsers(accessor?: string): LockedUsersView {
    const base = `${LOCKED_USERS_PREFIX}${NAMESPACE_ID}/`;
    const accessors = accessor ? [accessor] : this.barrier.list(base).map((a) => a.replace(/\/$/, ''));
    const mounts = accessors
      .filter(validAlias)
      .map((acc) => {
        const mount = this.mountByAccessor(acc) ?? { type: 'userpass', accessor: acc, config: {} };
        const aliases = this.barrier.list(`${base}${acc}/`).filter((a) => !a.endsWith('/') && this.isLocked(mount, a));
        return { mount_accessor: acc, counts: aliases.length, alias_identifiers: aliases.sort() };
      })
      .filter((m) => accessor || m.counts > 0)
      .sort((a, b) => b.counts - a.counts);
    const total = mounts.reduce((n, m) => n + m.counts, 0);
    const byNamespace = mounts.length ? [{ namespace_id: NAMESPACE_ID, namespace_path: '', counts: total, mount_accessors: mounts }] : [];
    return { by_namespace: byNamespace, total };
  }

  private recordFailure(mount: LockoutMount, alias: string): void {
    const cfg = this.settings(mount);
    const key = keyOf(mount.accessor, alias);
    const now = this.now();
    const prev = this.failures.get(key);
    const count = prev && now - prev.lastMs <= cfg.counterResetMs ? prev.count + 1 : 1;
    this.failures.delete(key); // re-insert so the map stays ordered oldest-first
    this.failures.set(key, { count, lastMs: now });
    if (count >= cfg.threshold) this.barrier.putJSON(pathOf(mount.accessor, alias), now);
    this.trim();
  }

  private trim(): void {
    while (this.failures.size > MAX_TRACKED_FAILURES) {
      const oldest = this.failures.keys().next().value as string;
      this.failures.delete(oldest); // a lock that was reached is in storage, so dropping its counter keeps the lock
    }
  }

  private async serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.queues.set(key, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.queues.get(key) === tail) this.queues.delete(key);
    }
  }
}

const keyOf = (accessor: string, alias: string) => `${accessor}/${alias}`;
const pathOf = (accessor: string, alias: string) => `${LOCKED_USERS_PREFIX}${NAMESPACE_ID}/${accessor}/${alias}`;
/** Storage key segments: no separators, no traversal. */
const validAlias = (s: string) => s.length > 0 && !s.includes('/') && s !== '.' && s !== '..';

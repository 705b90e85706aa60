import type { Logger } from '../log';
import type { EtcdClient } from './etcd-client';
import { EtcdError } from './etcd-error';
import type { Watch } from './etcd-watch';
import type { Bytes } from './etcd-wire';

// Leader election on one etcd key bound to a lease (etcd clientv3/concurrency
// does the same with a queue of keys; one key suffices for "who is active").
// campaign = txn "create_revision(key) == 0 → put key with my lease"; losers
// wait for the key's deletion and try again. The lease id (with the key's
// create revision) is the fencing token: log appends compare it in the same
// txn, so a deposed leader's writes fail in etcd whatever it believes.
//
// The 'lost' event is for the holder to stop acknowledging at once. It fires
// when etcd says the lease is gone, when the leader key is deleted or
// overwritten, or — without any answer from etcd — once the lease could have
// expired: TTL (less a margin) after the last keepalive that etcd confirmed
// was *sent*. That deadline is never later than etcd's own expiry, so an
// active cut off from the quorum steps down before anyone else can be elected.

/**
 * The leader lease: how long a killed active keeps the role. After kill -9
 * nothing revokes its lease, so standbys wait for etcd to expire it — between
 * TTL − one keepalive interval and TTL after the kill, plus up to 0.5 s (etcd
 * 3.4 checks expiries every 500 ms); the election, catch-up and first write
 * after that take ~0.14 s. `BENCH_FAILOVER_LEASES=3 npm run bench:ha`, 20
 * kills each, alternating, load 23–45 on 2 cores: 3 s → p50 2.8 s, p99 3.5 s
 * (the issue's aim, p99 ≤ 3 s, missed); 2 s → p50 2.1 s, p99 2.4 s. 2 s is
 * also etcd 3.4's floor at its default timings (it raises a shorter TTL to
 * ⌈1.5 × election timeout⌉ = 2 s; the grant's answer, which armExpiry uses,
 * says so). A campaign on key deletion (what a clean stop or step-down does)
 * is already immediate, so the lease is the lever for kill -9.
 * What a shorter lease costs is tolerance, not safety: the keepalive sent one
 * interval (TTL/3) after the last confirmed one must be answered within
 * TTL − EXPIRY_MARGIN_MS − TTL/3 (≈1.1 s at 2 s, 1.75 s at 3 s; keepalive()
 * waits that long rather than cutting it at one interval) or the active steps
 * down — a spurious failover on a stalled box, which bench:ha counts
 * ("leadership changes during the load": 0 at 2 s under 32-connection writes).
 * Fencing holds at any TTL: appends compare the lease in etcd, and the active
 * stops acknowledging before etcd can free the key (armExpiry). storage "etcd"
 * sets it with Vault's `lock_timeout` (Vault's default there is 15 s).
 */
export const DEFAULT_LEASE_TTL_SECONDS = 2;
/**
 * Step down this much before the lease could expire: a timer in a busy event
 * loop fires late, and the deposed leader should stop before etcd frees the
 * key, not just about when. (Writes stay safe regardless: appends are fenced
 * in etcd; this margin protects reads served as the active.)
 */
export const EXPIRY_MARGIN_MS = 250;
const RETRY_MS = 250;

/**
 * The first stack trace a process formats parses its bundle's source map
 * (bin/cli/server-entry.ts enables them; Node reads err.stack even when a
 * request is destroyed with an error): 1.7 MB for the server bundle, 1.2–2.1 s
 * of blocked event loop on this 2-core box at load 40, 2.7 s in a bench:ha
 * profile of a standby — longer than a 2 s lease tolerates between keepalives.
 * Pay it before the first campaign, not at the first error while leading.
 */
let stackTracesWarm = false;
function warmStackTraces(): void {
  if (stackTracesWarm) return;
  stackTracesWarm = true;
  void new Error('warm-up').stack;
}

export interface Leadership {
  key: string;
  /** The fencing token. */
  lease: bigint;
  /** Revision at which this term's leader key was created (also compared by appends). */
  createRevision: number;
}

export type ElectionState = 'idle' | 'candidate' | 'leader';

export interface ElectionOptions {
  key: string;
  /** What observers read as the leader (node id, addresses). */
  value: Bytes;
  ttlSeconds?: number;
  logger: Logger;
}

export class Election {
  private stateValue: ElectionState = 'idle';
  private lease = 0n;
  private leadership: Leadership | null = null;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  /** When this node stops counting on its lease (armExpiry). */
  private expiresAt = 0;
  private leaderWatch: Watch | undefined;
  private wakeCandidate: (() => void) | undefined;
  private readonly lostListeners = new Set<(reason: string) => void>();
  private readonly ttl: number;
  private readonly log: Logger;

  constructor(
    private readonly client: EtcdClient,
    private readonly opts: ElectionOptions,
  ) {
    this.ttl = opts.ttlSeconds ?? DEFAULT_LEASE_TTL_SECONDS;
    this.log = opts.logger.child({ component: 'ha.election', key: opts.key });
  }

  get state(): ElectionState {
    return this.stateValue;
  }
  /** This node's current term, or null when it is not the leader. */
  get current(): Leadership | null {
    return this.leadership;
  }

  /** Called synchronously the moment leadership ends (reason for the log). Returns an unsubscribe. */
  onLost(fn: (reason: string) => void): () => void {
    this.lostListeners.add(fn);
    return () => this.lostListeners.delete(fn);
  }

  /** Resolves once this node holds the leader key; keeps trying (through etcd outages) until aborted. */
  async campaign(signal?: AbortSignal): Promise<Leadership> {
    if (this.stateValue !== 'idle') throw new EtcdError('invalid_argument', `election ${this.opts.key}: already ${this.stateValue}`);
    warmStackTraces();
    this.stateValue = 'candidate';
    const onAbort = () => this.wakeCandidate?.();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        signal?.throwIfAborted();
        try {
          if (!this.lease) await this.grant();
          const won = await this.tryAcquire();
          if (won) return this.becomeLeader(won);
        } catch (err) {
          if (!(err instanceof EtcdError)) throw err;
          if (err.code === 'lease_not_found') this.leaseGone('lease expired before the campaign txn');
          this.log.debug({ err: err.message }, 'campaign attempt failed; retrying');
          await this.sleep(RETRY_MS, signal);
        }
      }
    } catch (err) {
      const lease = this.lease;
      this.reset();
      if (lease) void this.client.leaseRevoke(lease).catch(() => undefined); // or it expires
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Gives up leadership (or candidacy): revoking the lease deletes the leader key in the same step. */
  async resign(): Promise<void> {
    const lease = this.lease;
    const wasLeader = this.stateValue === 'leader';
    this.reset();
    if (wasLeader) this.emitLost('resigned');
    if (lease) await this.client.leaseRevoke(lease).catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'lease revoke failed; it will expire'));
  }

  private async grant(): Promise<void> {
    const sentAt = Date.now();
    const { id, ttl } = await this.client.leaseGrant(this.ttl);
    this.lease = id;
    this.armExpiry(sentAt, ttl);
    this.scheduleKeepalive(this.intervalMs());
  }

  /** One txn; returns the term when this node holds the key, else waits for the key to go and returns null. */
  private async tryAcquire(): Promise<Leadership | null> {
    const key = this.opts.key;
    const lease = this.lease;
    const r = await this.client.txn({
      compare: [{ key, target: 'create', result: 'EQUAL', revision: 0 }],
      success: [{ op: 'put', key, value: this.opts.value, lease }],
      failure: [{ op: 'range', key }],
    });
    // The lease ran out while the txn was in flight: the key (if written) goes with it.
    if (lease !== this.lease) return null;
    if (r.succeeded) return { key, lease, createRevision: r.header.revision };
    const held = r.responses[0]?.op === 'range' ? r.responses[0].result.kvs[0] : undefined;
    if (!held) return null; // deleted between compare and now: try again at once
    // A retried txn whose first attempt committed: the key is already ours.
    if (held.lease === lease) return { key, lease, createRevision: held.createRevision };
    await this.waitForDeletion(held.modRevision + 1);
    return null;
  }

  private waitForDeletion(fromRevision: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const finish = () => {
        watch.cancel();
        this.wakeCandidate = undefined;
        resolve();
      };
      this.wakeCandidate = finish; // lease lost while waiting: retry with a new one
      const watch = this.client.watch(this.opts.key, { startRevision: fromRevision }, (res) => {
        if (res.events.some((e) => e.type === 'delete')) finish();
      });
      watch.done.catch(() => setTimeout(finish, RETRY_MS)); // stream broke: re-check with a txn
    });
  }

  private becomeLeader(l: Leadership): Leadership {
    this.leadership = l;
    this.stateValue = 'leader';
    this.log.info({ lease: l.lease.toString(16), revision: l.createRevision }, 'elected');
    this.watchLeaderKey(l.createRevision + 1);
    return l;
  }

  /** A delete of the leader key, or a put with another lease, ends this term at once. */
  private watchLeaderKey(fromRevision: number): void {
    if (this.stateValue !== 'leader') return;
    let next = fromRevision;
    const w = this.client.watch(this.opts.key, { startRevision: fromRevision }, (res) => {
      next = res.header.revision + 1;
      for (const e of res.events) {
        if (e.type === 'delete') return this.lose('leader key deleted');
        if (e.kv.lease !== this.lease) return this.lose('leader key taken by another lease');
      }
    });
    this.leaderWatch = w;
    w.done.catch((err: unknown) => {
      if (this.leaderWatch !== w) return;
      this.log.debug({ err: (err as Error).message }, 'leader key watch ended; reopening');
      setTimeout(() => this.leaderWatch === w && this.watchLeaderKey(next), RETRY_MS);
    });
  }

  private scheduleKeepalive(delayMs: number): void {
    clearTimeout(this.keepaliveTimer);
    this.keepaliveTimer = setTimeout(() => void this.keepalive(), delayMs);
  }

  private async keepalive(): Promise<void> {
    const lease = this.lease;
    if (!lease) return;
    const sentAt = Date.now();
    // A slow answer still renews from when it was sent, so it is awaited until
    // the lease could lapse, not cut at one interval: on a loaded box a
    // keepalive etcd answers in 700 ms is a success, and a retry would queue
    // behind the same stall (a broken connection still fails at once and is retried).
    const timeoutMs = Math.max(this.intervalMs(), this.expiresAt - sentAt);
    try {
      const ttl = await this.client.leaseKeepAlive(lease, timeoutMs);
      if (lease !== this.lease) return;
      this.armExpiry(sentAt, ttl);
      this.scheduleKeepalive(this.intervalMs());
    } catch (err) {
      if (lease !== this.lease) return;
      if (err instanceof EtcdError && err.code === 'lease_not_found') return this.leaseGone('lease expired or revoked in etcd');
      this.log.debug({ err: (err as Error).message }, 'keepalive failed; retrying');
      this.scheduleKeepalive(Math.min(RETRY_MS, this.intervalMs()));
    }
  }

  private armExpiry(sentAt: number, ttlSeconds: number): void {
    clearTimeout(this.expiryTimer);
    this.expiresAt = sentAt + ttlSeconds * 1000 - EXPIRY_MARGIN_MS;
    const ms = this.expiresAt - Date.now();
    this.expiryTimer = setTimeout(() => this.leaseGone(`no keepalive confirmed within the ${ttlSeconds} s lease`), Math.max(0, ms));
  }

  private leaseGone(reason: string): void {
    if (this.stateValue === 'leader') return this.lose(reason);
    // A candidate just needs a fresh lease for its next attempt.
    this.stopTimers();
    this.lease = 0n;
    this.wakeCandidate?.();
  }

  private lose(reason: string): void {
    if (this.stateValue !== 'leader') return;
    const lease = this.lease;
    this.reset();
    this.log.warn({ reason }, 'lost leadership');
    this.emitLost(reason);
    void this.client.leaseRevoke(lease).catch(() => undefined); // best effort: free the key for the next leader sooner
  }

  private emitLost(reason: string): void {
    for (const fn of this.lostListeners) fn(reason);
  }

  private reset(): void {
    this.stopTimers();
    this.leaderWatch?.cancel();
    this.leaderWatch = undefined;
    this.wakeCandidate?.();
    this.leadership = null;
    this.lease = 0n;
    this.stateValue = 'idle';
  }

  private stopTimers(): void {
    clearTimeout(this.keepaliveTimer);
    clearTimeout(this.expiryTimer);
  }

  private intervalMs(): number {
    return Math.max(100, Math.floor((this.ttl * 1000) / 3));
  }

  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
    });
  }
}

import type { Logger } from '../log';
import { samePosition } from '../storage/quorum';
import type { SqliteBackend } from '../storage/sqlite';
import type { Leadership } from './election';
import type { EtcdClient } from './etcd-client';
import { EtcdError } from './etcd-error';
import { type AppliedMarker, HA_APPLIED_KEY, markerOp, positionOf, readMarker } from './ha-log-applied';
import { DEFAULT_UNREACHABLE_MS, LeaderAppender } from './ha-log-appender';
import { Follower } from './ha-log-follower';
import { relaxLocalSync, restoreLocalSync } from './ha-log-local-sync';
import { readBatches } from './log-append';
import { repairKeepingLog } from './ha-log-repair-keep';
import { localCarried, seedCluster } from './ha-log-state';
import { LogTrimmer } from './ha-log-trim';
import { DEFAULT_TXN_LIMITS, decodeTip, haLogKey, haTipKey, type SeenHaTip, type TxnLimits } from './ha-log-txn';

export { DEFAULT_LOG_RETENTION } from './ha-log-trim';
/** Batches read per range while a new active catches up to the tip. */
const CATCH_UP_PAGE = 200;

// The cluster's log in etcd and the state machine that applies it
// (ha-design.md decisions 1–6). One HaLog per node, over its SqliteBackend:
//   open()   check local state against etcd (repair if it may hold writes the
//            log does not, or the log no longer has what comes next), follow
//   lead()   stop following, apply up to etcd's tip (seed an empty prefix from
//            this node's SQLite), then every local commit is acknowledged only
//            once its fenced append committed (LeaderAppender)
//   follow() stop appending (what is not yet sent is refused), repair if the
//            local state may hold unacknowledged writes, follow the watch

export interface HaLogOptions {
  client: EtcdClient;
  prefix: string;
  storage: SqliteBackend;
  logger: Logger;
  /** etcd's per-txn limits as the members run them (default: etcd's defaults). */
  limits?: TxnLimits;
  /** How long an append may go unanswered before writes are refused (default: the election's lease). */
  unreachableMs?: number;
  /** Batches kept in etcd behind the tip (default DEFAULT_LOG_RETENTION, ha-log-trim.ts). */
  logRetention?: number;
}

export class HaLog {
  private applied: AppliedMarker;
  private committedSeq: number;
  private follower: Follower | null = null;
  private appender: LeaderAppender | null = null;
  private readonly fencedListeners = new Set<(reason: string) => void>();
  private readonly appliedWaiters = new Set<() => void>();
  private readonly log: Logger;
  private closed = false;
  private repairCount = 0;
  /** Repairs of followers that have stopped since. */
  private followerRepairs = 0;

  private constructor(
    private readonly o: HaLogOptions,
    marker: AppliedMarker | null,
  ) {
    this.log = o.logger.child({ component: 'ha.log', prefix: o.prefix });
    const pos = o.storage.position();
    this.applied = marker ?? { prefix: o.prefix, seq: 0, revision: 0, index: pos.index, guard: pos.guard, leading: false };
    this.committedSeq = this.applied.seq;
  }

  static async open(opts: HaLogOptions): Promise<HaLog> {
    const marker = readMarker(opts.storage.get(HA_APPLIED_KEY), opts.prefix);
    const h = new HaLog(opts, marker);
    try {
      await h.repairIf(await h.mustRepair(marker));
    } catch (err) {
      // etcd without quorum must not stop the node from starting (its own
      // member may be what the quorum waits for): decide from what is stored,
      // erring towards a repair, and let the follower do it once etcd answers.
      if (!(err instanceof EtcdError && err.transient)) throw err;
      const why = h.offlineVerdict(marker);
      h.log.warn({ err: err.message, repair: why }, 'HA log: etcd unreachable at open; following once it answers');
      h.startFollowing(why !== false);
      return h;
    }
    h.startFollowing();
    return h;
  }

  /** mustRepair without etcd: only what the stored marker says (a never-synced node checks for a seed when etcd answers). */
  private offlineVerdict(m: AppliedMarker | null): string | false {
    if (!m) return false;
    if (m.leading) return 'it was the active';
    if (!samePosition(this.o.storage.position(), positionOf(m))) return 'local writes past the last applied batch';
    return false;
  }

  /** Why open() must repair before following, or false. */
  private async mustRepair(m: AppliedMarker | null): Promise<string | false> {
    const { client, prefix, storage } = this.o;
    const tipKv = await client.get(haTipKey(prefix));
    if (!tipKv) return false; // nothing to repair from: wait for a seed
    const seen = decodeTip(tipKv);
    this.committedSeq = seen.tip.seq;
    if (!m) return 'never synced with this prefix';
    if (m.leading) return 'it was the active: its SQLite may hold writes etcd never acknowledged';
    if (!samePosition(storage.position(), positionOf(m))) return 'local writes past the last applied batch';
    if (seen.tip.seq < m.seq) return `etcd's log (seq ${seen.tip.seq}) is behind this node (seq ${m.seq})`;
    if (seen.tip.seq > m.seq && !(await client.get(haLogKey(prefix, m.seq + 1)))) return `etcd no longer holds batch ${m.seq + 1}`;
    return false;
  }

  private async repairIf(why: string | false): Promise<void> {
    if (!why) return;
    this.log.warn({ reason: why, seq: this.applied.seq }, 'HA log: repairing before following');
    this.applied = await repairKeepingLog(this.o.client, this.o.prefix, this.o.storage, this.log, this.applied);
    this.repairCount += 1;
    this.notifyApplied();
  }

  private startFollowing(needRepair = false): void {
    relaxLocalSync(this.o.storage); // what a follower applies is etcd's already (ha-log-local-sync.ts)
    const self = this;
    this.follower = new Follower(
      {
        client: this.o.client,
        prefix: this.o.prefix,
        storage: this.o.storage,
        logger: this.log,
        get applied() {
          return self.applied;
        },
        set applied(m: AppliedMarker) {
          self.applied = m;
        },
        noteCommitted: (seq) => (this.committedSeq = Math.max(this.committedSeq, seq)),
        noteApplied: () => this.notifyApplied(),
      },
      needRepair,
    );
  }

  /** Repairs made since open, by this HaLog and its followers (tests, status). */
  get repairs(): number {
    return this.repairCount + this.followerRepairs + (this.follower?.repairs ?? 0);
  }

  get leading(): boolean {
    return this.appender !== null;
  }

  /** Stop following, apply everything up to etcd's tip, then route every local commit through etcd. */
  async lead(leadership: Leadership): Promise<void> {
    if (this.closed) throw new Error('HA log closed');
    if (this.appender) throw new Error('HA log: already leading');
    await this.stopFollowing();
    const { storage, client, prefix } = this.o;
    let seen: SeenHaTip | null;
    try {
      seen = await this.catchUp();
    } catch (err) {
      this.startFollowing(); // each apply is atomic: what was applied stands
      throw err;
    }
    const trimmer = new LogTrimmer(client, prefix, this.o.logRetention, this.log);
    const appender = new LeaderAppender({
      client,
      prefix,
      leadership,
      seen: seen ?? { tip: { seq: 0, index: 0, guard: '0'.repeat(32) }, modRevision: 0 },
      limits: this.o.limits ?? DEFAULT_TXN_LIMITS,
      unreachableMs: this.o.unreachableMs ?? DEFAULT_UNREACHABLE_MS,
      logger: this.log,
      onAppended: (t) => {
        trimmer.noteAppended(t.tip.seq);
        this.committedSeq = t.tip.seq;
        this.applied = { ...this.applied, seq: t.tip.seq, revision: t.modRevision, index: t.tip.index, guard: t.tip.guard };
        this.notifyApplied();
      },
      onFenced: (reason) => {
        for (const cb of this.fencedListeners) cb(reason);
      },
    });
    // Durable before any write it covers: this node's SQLite may from now on hold unacknowledged writes.
    this.applied = { ...this.applied, leading: true };
    restoreLocalSync(storage);
    storage.put(HA_APPLIED_KEY, markerOp(this.applied).value);
    storage.commitBatch();
    relaxLocalSync(storage); // etcd holds what is acknowledged from now on (ha-log-local-sync.ts)
    let seeded: Promise<void> | null = null;
    if (!seen) {
      // An empty prefix: this node's state becomes the cluster's (a lone node forming a cluster).
      const snap = localCarried(storage);
      seeded = appender.enqueue(async () => {
        const s = await seedCluster(client, prefix, leadership, snap, this.o.limits ?? DEFAULT_TXN_LIMITS);
        appender.setSeen(s);
        this.applied = { ...this.applied, seq: 0, revision: s.modRevision, index: s.tip.index, guard: s.tip.guard };
        this.log.info({ entries: snap.entries.length, index: snap.position.index }, 'HA log: seeded the cluster state from this node');
      });
    }
    this.appender = appender;
    seeded?.catch(() => undefined); // awaited below
    await storage.setQuorum(appender);
    await seeded; // writes made meanwhile wait behind it
    // The marker written above predates the seed (revision 0): record a position etcd holds, so a
    // start-up repair after a crash keeps the WalLog records up to it (ha-log-repair-keep.ts).
    if (seeded && this.appender === appender) storage.put(HA_APPLIED_KEY, markerOp(this.applied).value);
    this.log.info({ seq: this.applied.seq, index: this.applied.index }, 'HA log: leading');
  }

  /** Apply etcd's log up to its tip (repairing when it cannot); null when the prefix was never seeded. */
  private async catchUp(): Promise<SeenHaTip | null> {
    const { client, prefix, storage } = this.o;
    for (let attempt = 0; ; attempt++) {
      const tipKv = await client.get(haTipKey(prefix));
      if (!tipKv) return null;
      const seen = decodeTip(tipKv);
      try {
        while (this.applied.seq < seen.tip.seq) {
          const from = this.applied.seq + 1;
          const got = await readBatches(client, prefix, from, Math.min(seen.tip.seq, from + CATCH_UP_PAGE - 1));
          if (got[0]?.seq !== from) throw new Error(`etcd no longer holds batch ${from}`);
          for (const { seq, modRevision, batch: b } of got) {
            if (seq !== this.applied.seq + 1) throw new Error(`etcd no longer holds batch ${this.applied.seq + 1}`);
            const next: AppliedMarker = { prefix, seq, revision: modRevision, index: b.after.index, guard: b.after.guard, leading: false };
            storage.applyCommitted(b.txns, b, markerOp(next));
            this.applied = next;
          }
        }
        if (this.applied.seq !== seen.tip.seq || !samePosition(storage.position(), positionOf(seen.tip))) throw new Error(`local position ${storage.position().index} is not etcd's tip ${seen.tip.index}`);
        this.applied = { ...this.applied, revision: Math.max(this.applied.revision, seen.modRevision) };
        this.committedSeq = seen.tip.seq;
        this.notifyApplied();
        return seen;
      } catch (err) {
        if (attempt >= 2) throw err;
        this.log.warn({ err: (err as Error).message }, 'HA log: cannot catch up to the tip batch by batch; repairing');
        this.applied = await repairKeepingLog(client, prefix, storage, this.log, this.applied);
        this.repairCount += 1;
      }
    }
  }

  /** Stop leading (what is not yet appended is refused), repair if needed, follow the watch. */
  async follow(): Promise<void> {
    if (this.closed) throw new Error('HA log closed');
    const a = this.appender;
    if (!a) {
      if (!this.follower) this.startFollowing();
      return;
    }
    const clean = await this.stopLeading(a, 'this node stepped down');
    let needRepair = !clean;
    try {
      await this.repairIf(clean ? false : 'stepped down with writes etcd may not hold');
      needRepair = false;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'HA log: repair after step-down failed; the follower retries it');
    }
    this.startFollowing(needRepair);
  }

  /**
   * Refuse what is not yet appended, wait for what is in flight; when every
   * local write was acknowledged, record that this node's state is exactly
   * etcd's at the last append (no repair needed). Returns whether it was.
   */
  private async stopLeading(a: LeaderAppender, reason: string): Promise<boolean> {
    this.appender = null;
    a.close(reason);
    await this.o.storage.setQuorum(null);
    await a.drained();
    restoreLocalSync(this.o.storage);
    const pos = this.o.storage.position();
    const clean = !this.o.storage.quorumLost && a.seen.modRevision > 0 && samePosition(pos, positionOf(a.seen.tip));
    if (!clean) return false;
    this.applied = { prefix: this.o.prefix, seq: a.seen.tip.seq, revision: a.seen.modRevision, index: pos.index, guard: pos.guard, leading: false };
    this.o.storage.put(HA_APPLIED_KEY, markerOp(this.applied).value);
    this.o.storage.commitBatch();
    return true;
  }

  get committedIndex(): number {
    return this.committedSeq;
  }

  get appliedIndex(): number {
    return this.applied.seq;
  }

  /** Resolves true once batch `seq` is applied here, false after timeoutMs. */
  waitApplied(seq: number, timeoutMs: number): Promise<boolean> {
    if (this.applied.seq >= seq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (this.applied.seq < seq) return;
        finish(true);
      };
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.appliedWaiters.delete(check);
        resolve(ok);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.appliedWaiters.add(check);
    });
  }

  onFenced(cb: (reason: string) => void): () => void {
    this.fencedListeners.add(cb);
    return () => this.fencedListeners.delete(cb);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.appender) await this.stopLeading(this.appender, 'HA log closed');
    await this.stopFollowing();
    restoreLocalSync(this.o.storage); // the node may go on alone
  }

  private async stopFollowing(): Promise<void> {
    const f = this.follower;
    this.follower = null;
    if (!f) return;
    await f.stop();
    this.followerRepairs += f.repairs;
  }

  private notifyApplied(): void {
    for (const w of [...this.appliedWaiters]) w();
  }
}

import type { Logger } from '../log';
import { LogDivergenceError } from '../storage/quorum';
import type { SqliteBackend } from '../storage/sqlite';
import type { EtcdClient } from './etcd-client';
import { EtcdError } from './etcd-error';
import type { Watch } from './etcd-watch';
import type { KeyValue } from './etcd-wire';
import { type AppliedMarker, markerOp } from './ha-log-applied';
import { BatchFormatError, decodeBatch } from './ha-log-batch';
import { haLogPrefix, haTipKey, seqOfLogKey } from './ha-log-txn';
import { repairKeepingLog } from './ha-log-repair-keep';

// A standby's side of the HA log (decision 4): one run loop that watches
// `P log/` from the revision after the last one applied and applies each
// batch, in seq order, through SqliteBackend.applyCommitted. A broken stream
// resumes from that revision (no gap, no repeat: batches at or below the
// applied seq are skipped). A gap, a batch that does not fit this node's
// position (divergence), an unreadable batch, or history etcd compacted away
// all end in a repair from `P state/`, then the watch resumes after it.

const RETRY_MS = 250;
const SEED_POLL_MS = 250;

export interface FollowerHost {
  readonly client: EtcdClient;
  readonly prefix: string;
  readonly storage: SqliteBackend;
  readonly logger: Logger;
  applied: AppliedMarker;
  /** Highest seq seen in etcd. */
  noteCommitted(seq: number): void;
  /** A batch (or a repair) was applied. */
  noteApplied(): void;
}

class GapError extends Error {}

export class Follower {
  private stopped = false;
  private watch: Watch | undefined;
  private wake: (() => void) | undefined;
  private readonly done: Promise<void>;
  private problem: Error | null = null;
  /** Repairs made (for tests and status). */
  repairs = 0;

  constructor(
    private readonly h: FollowerHost,
    private needRepair: boolean,
  ) {
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watch?.cancel();
    this.wake?.();
    await this.done;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.h.applied.revision === 0 && !(await this.seeded())) {
          await this.sleep(SEED_POLL_MS);
          continue;
        }
        if (this.needRepair) {
          this.h.applied = await repairKeepingLog(this.h.client, this.h.prefix, this.h.storage, this.h.logger, this.h.applied);
          this.needRepair = false;
          this.repairs += 1;
          this.h.noteApplied();
        }
        await this.watchOnce();
      } catch (err) {
        if (this.stopped) break;
        const repair = err instanceof LogDivergenceError || err instanceof GapError || err instanceof BatchFormatError || (err instanceof EtcdError && err.code === 'compacted');
        if (repair) this.needRepair = true;
        this.h.logger.warn({ err: (err as Error).message, repair }, repair ? 'HA log: cannot follow from here; repairing' : 'HA log watch ended; resuming');
        if (!repair) {
          await this.sleep(RETRY_MS);
          // A unary call moves the client to a member that answers; a watch reopens on that one.
          await this.h.client.get(haTipKey(this.h.prefix)).catch(() => undefined);
        }
      }
    }
  }

  /** A node that never synced with this prefix waits until someone seeds it, then repairs. */
  private async seeded(): Promise<boolean> {
    const tip = await this.h.client.get(haTipKey(this.h.prefix));
    if (tip) this.needRepair = true;
    return tip !== null;
  }

  private async watchOnce(): Promise<void> {
    this.problem = null;
    const w = this.h.client.watch(haLogPrefix(this.h.prefix), { prefix: true, startRevision: this.h.applied.revision + 1 }, (res) => {
      if (this.problem || this.stopped) return;
      try {
        for (const e of res.events) if (e.type === 'put') this.apply(e.kv);
      } catch (err) {
        this.problem = err as Error;
        w.cancel();
      }
    });
    this.watch = w;
    if (this.stopped) w.cancel();
    try {
      await w.done;
    } finally {
      this.watch = undefined;
    }
    if (this.problem) throw this.problem;
    if (!this.stopped) throw new EtcdError('unavailable', 'HA log watch closed');
  }

  private apply(kv: KeyValue): void {
    const seq = seqOfLogKey(this.h.prefix, kv.key);
    if (seq === null) return;
    this.h.noteCommitted(seq);
    const a = this.h.applied;
    if (seq <= a.seq) return;
    if (seq !== a.seq + 1) throw new GapError(`HA log gap: applied seq ${a.seq}, etcd delivered ${seq}`);
    const batch = decodeBatch(kv.value);
    const next: AppliedMarker = { prefix: a.prefix, seq, revision: kv.modRevision, index: batch.after.index, guard: batch.after.guard, leading: false };
    this.h.storage.applyCommitted(batch.txns, batch, markerOp(next));
    this.h.applied = next;
    this.h.noteApplied();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => (clearTimeout(t), resolve());
    });
  }
}

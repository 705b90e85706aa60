import type Database from 'better-sqlite3';
import type { LogRecord } from './backend';
import type { MerkleIndex } from './merkle-index';
import type { CarriedTxn, LogPosition, QuorumBatch } from './quorum';
import type { AckWaiter } from './quorum-ack';
import type { WalLog } from './wal-log';

// Group commit: the writes made in one turn of the event loop share one
// immediate transaction and one fsync, committed on setImmediate. A write is
// acknowledged (flushed() resolves) only after that COMMIT; if the COMMIT
// fails, the whole batch is rolled back — WalLog tip and merkle tree too — and
// every waiter is rejected.

export interface OpenBatch {
  records: LogRecord[];
  /** The WalLog tip before the batch (where a rollback returns to). */
  tip: LogPosition;
  waiters: AckWaiter[];
  /** Carried transactions, recorded only while a quorum appender is set. */
  txns: CarriedTxn[];
}

/** What the batch needs of SqliteBackend. */
export interface GroupCommitHost {
  readonly db: Database.Database;
  readonly log: WalLog;
  readonly merkle: MerkleIndex;
  /** Merkle flush, then the injected commit fault if set. */
  flushMerkle(): void;
  /** Everything may have changed (a rolled-back batch). */
  publishAll(): void;
  /** How long the COMMIT took and how many records it made durable (telemetry). */
  flushedIn(ms: number, records: number): void;
  acknowledge(q: QuorumBatch, records: LogRecord[], waiters: AckWaiter[]): void;
}

export class GroupCommit {
  private batch: OpenBatch | null = null;

  constructor(private readonly host: GroupCommitHost) {}

  /** The batch open now, if any. */
  get current(): OpenBatch | null {
    return this.batch;
  }

  open(): void {
    const { db, log } = this.host;
    db.exec('BEGIN IMMEDIATE');
    this.batch = { records: [], tip: { index: log.lastIndex, guard: log.lastGuard }, waiters: [], txns: [] };
    setImmediate(() => this.commit());
  }

  /** Commit the open batch now (also called on shutdown and before HA role changes). */
  commit(): void {
    const b = this.batch;
    if (!b) return;
    this.batch = null;
    const h = this.host;
    const started = performance.now();
    try {
      h.flushMerkle();
      h.db.exec('COMMIT');
      h.flushedIn(performance.now() - started, b.records.length);
    } catch (cause) {
      try {
        h.db.exec('ROLLBACK');
      } catch {
        /* already rolled back */
      }
      h.log.rollbackTo(b.tip.index, b.tip.guard);
      h.merkle.reload(h.db);
      h.publishAll();
      const err = new Error('storage commit failed', { cause });
      for (const w of b.waiters) w.reject(err);
      return;
    }
    h.acknowledge({ before: b.tip, txns: b.txns }, b.records, b.waiters);
  }

  /** Resolves once the open batch is acknowledged; null when none is open. */
  waiter(): Promise<void> | null {
    const b = this.batch;
    if (!b) return null;
    return new Promise((resolve, reject) => b.waiters.push({ resolve, reject }));
  }
}

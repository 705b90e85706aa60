import type Database from 'better-sqlite3';
import type { LogRecord, StorageOp } from './backend';
import { replaceCarried, type CarriedEntry } from './carried-state';
import type { MerkleIndex, MerkleUndo } from './merkle-index';
import { LogDivergenceError, samePosition, type LogPosition } from './quorum';
import type { WalLog } from './wal-log';

// The HA log's two ways into a node's SQLite (ha-design.md decisions 4 and 5):
// apply a batch the cluster committed, and repair by replacing every carried
// key. Both bypass client write checks and group commit; they reach the
// backend's internals only through HaWriter, which SqliteBackend hands out.

/** What the HA entry points need of SqliteBackend. */
export interface HaWriter {
  readonly db: Database.Database;
  readonly log: WalLog;
  readonly merkle: MerkleIndex;
  position(): LogPosition;
  /** Commits any open group batch; throws when this node itself appends to the quorum log (`what`: the caller's name). */
  settle(what: string): void;
  /** The writer's own per-op commit step, so indices, guards and merkle roots come out the same. */
  applyOne(o: StorageOp, undo: MerkleUndo[]): LogRecord | null;
  /** One immediate transaction; on failure undoes merkle and WalLog back to `start` and rethrows. */
  inTxn<T>(start: LogPosition, undo: MerkleUndo[], fn: () => T): T;
  /** Merkle flush, then the injected commit fault if set (StorageFaults.failCommit). */
  flushMerkle(): void;
  failPutFault(): void;
  publish(keys: string[] | null): void;
  committed(records: LogRecord[], index: number): void;
  /** Acknowledgements resume from a repaired log at `index`. */
  resetAcks(index: number): void;
}

/**
 * A batch the cluster's log committed, applied without client write checks,
 * in ONE transaction with `marker` (this node's record of what it applied).
 * The batch must start at this node's WalLog tip and end at `expect.after`;
 * otherwise nothing is written and LogDivergenceError says so (the caller repairs).
 */
export function applyCommitted(w: HaWriter, txns: StorageOp[][], expect: { before: LogPosition; after: LogPosition }, marker: StorageOp): LogRecord[] {
  w.settle('applyCommitted');
  w.failPutFault();
  const start = w.position();
  if (!samePosition(start, expect.before)) throw new LogDivergenceError(expect.before, start, 'before');
  const undo: MerkleUndo[] = [];
  let records: LogRecord[];
  try {
    records = w.inTxn(start, undo, () => {
      const out: LogRecord[] = [];
      for (const ops of txns) for (const o of ops) {
        const r = w.applyOne(o, undo);
        if (r) out.push(r);
      }
      if (!samePosition(w.position(), expect.after)) throw new LogDivergenceError(expect.after, w.position(), 'after');
      w.applyOne(marker, undo);
      w.flushMerkle();
      return out;
    });
  } catch (err) {
    if (err instanceof LogDivergenceError) throw err;
    throw new Error('HA log apply failed', { cause: err });
  }
  w.publish(txns.flatMap((ops) => ops.map((o) => o.key)));
  w.committed(records, w.log.lastIndex);
  return records;
}

/**
 * Repair/bootstrap: replace every carried key with `entries`, rebuild the
 * merkle index, restart the WalLog at `at` (or, with `keepLog`, keep its
 * records up to `at` and drop the rest), and write `marker`, in one
 * transaction; acknowledgements resume.
 */
export function replaceCarriedState(w: HaWriter, entries: Iterable<CarriedEntry>, at: LogPosition, marker: StorageOp, keepLog = false): void {
  w.settle('replaceCarried');
  const was = w.position();
  try {
    w.db
      .transaction(() => {
        replaceCarried(w.db, w.log, w.merkle, entries, at, keepLog);
        w.applyOne(marker, []);
      })
      .immediate();
  } catch (err) {
    w.log.rollbackTo(was.index, was.guard);
    w.merkle.reload(w.db);
    throw new Error('HA repair failed', { cause: err });
  } finally {
    w.publish(null);
  }
  w.resetAcks(at.index);
}

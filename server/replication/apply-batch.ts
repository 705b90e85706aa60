import type { StorageOp } from '../storage/backend';
import type { SqliteBackend } from '../storage/sqlite';
import { continuityError } from './continuity';
import { recordFromWire, type FrameOf } from './frames';
import { chunked } from './shipped-chunks';
import type { Mode, ReplicationStore } from './state';

// The one function that applies a shipped `wals` batch on a secondary. The
// continuity check lives here, against the position read from storage (not a
// copy in memory), so no caller can apply a batch without it. The records and
// the new position commit in one transaction: a crash leaves either both or
// neither. Batches that arrived together may share one transaction
// (applyBatches): each is still its own all-or-nothing savepoint inside it.

export class ContinuityError extends Error {
  constructor(readonly reason: string) {
    super(`continuity check failed: ${reason}; stopped applying, resuming from the stored position`);
    this.name = 'ContinuityError';
  }
}

/**
 * Write `batch` on top of this secondary's stored position, without waiting
 * for durability: under group commit it joins the open transaction (as its own
 * savepoint, records and position together), so several batches that arrived
 * together share one COMMIT and one fsync. Throws ContinuityError, writing
 * nothing of this batch, on a gap or mismatch. The position is read through
 * the writer, so a batch staged before this one counts.
 */
export function stageBatch(physical: SqliteBackend, store: ReplicationStore, mode: Mode, batch: FrameOf<'wals'>): void {
  const why = continuityError(store.position(mode), batch);
  if (why) throw new ContinuityError(why);
  if (batch.records.length === 0 && batch.lastIndex === batch.follows.index) return; // "streaming from here": nothing to write
  // In runs an HA log can carry (shipped-chunks.ts), each with the position of its last record: a
  // record's index and guard are a position of the primary's log, so a stop between runs resumes there.
  const runs = chunked(batch.records.map(recordFromWire), (r) => r.key.length + (r.value?.length ?? 0));
  if (!runs.length) runs.push([]); // only filtered-out records: the position still moves
  runs.forEach((run, i) => {
    const end = i === runs.length - 1 ? { index: batch.lastIndex, guard: batch.lastGuard } : { index: run.at(-1)!.index, guard: run.at(-1)!.guard };
    const ops: StorageOp[] = run.map((r) => (r.op === 'put' ? { op: 'put', key: r.key, value: r.value! } : { op: 'delete', key: r.key }));
    physical.applyShipped([...ops, store.positionOp(mode, end)]); // the primary's writes, accepted under its own max_entry_size
  });
}

/** Apply `batch` on top of this secondary's stored position; durable when it resolves. Throws ContinuityError without writing anything on a gap or mismatch. */
export async function applyBatch(physical: SqliteBackend, store: ReplicationStore, mode: Mode, batch: FrameOf<'wals'>): Promise<void> {
  stageBatch(physical, store, mode, batch);
  await physical.flushed();
}

/**
 * Apply batches in order, all durable with one fsync. Stops at the first that
 * fails: those before it are applied (and returned), the error is rethrown by
 * the caller once they are durable. `onVisible` runs once they are written
 * and readable on this node, before the fsync: what a client needs to read
 * its own write here (the primary already made that write durable).
 */
export async function applyBatches(
  physical: SqliteBackend,
  store: ReplicationStore,
  mode: Mode,
  batches: FrameOf<'wals'>[],
  onVisible?: (applied: FrameOf<'wals'>[]) => void,
): Promise<{ applied: FrameOf<'wals'>[]; error: unknown }> {
  const applied: FrameOf<'wals'>[] = [];
  let error: unknown = null;
  for (const b of batches) {
    try {
      stageBatch(physical, store, mode, b);
    } catch (err) {
      error = err;
      break;
    }
    applied.push(b);
  }
  if (applied.length) {
    onVisible?.(applied);
    // The group commit runs on the next turn of the event loop (setImmediate), so what onVisible released
    // (a forwarded write's response) goes out first; committing here would put this fsync in front of it.
    await physical.flushed();
  }
  return { applied, error };
}

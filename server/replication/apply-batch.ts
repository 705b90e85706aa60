import type { StorageOp } from '../storage/backend';
import type { SqliteBackend } from '../storage/sqlite';
import { continuityError } from './continuity';
import { recordFromWire, type FrameOf } from './frames';
import type { Mode, ReplicationStore } from './state';

// The one function that applies a shipped `wals` batch on a secondary. The
// continuity check lives here, against the position read from storage (not a
// copy in memory), so no caller can apply a batch without it. The records and
// the new position commit in one transaction: a crash leaves either both or
// neither.

export class ContinuityError extends Error {
  constructor(readonly reason: string) {
    super(`continuity check failed: ${reason}; stopped applying, resuming from the stored position`);
    this.name = 'ContinuityError';
  }
}

/** Apply `batch` on top of this secondary's stored position; durable when it resolves. Throws ContinuityError without writing anything on a gap or mismatch. */
export async function applyBatch(physical: SqliteBackend, store: ReplicationStore, mode: Mode, batch: FrameOf<'wals'>): Promise<void> {
  const why = continuityError(store.position(mode), batch);
  if (why) throw new ContinuityError(why);
  if (batch.records.length === 0 && batch.lastIndex === batch.follows.index) return; // "streaming from here": nothing to write
  const ops: StorageOp[] = batch.records.map((w) => {
    const r = recordFromWire(w);
    return r.op === 'put' ? { op: 'put', key: r.key, value: r.value! } : { op: 'delete', key: r.key };
  });
  ops.push(store.positionOp(mode, { index: batch.lastIndex, guard: batch.lastGuard }));
  physical.applyShipped(ops); // the primary's writes, accepted under its own max_entry_size
  await physical.flushed();
}

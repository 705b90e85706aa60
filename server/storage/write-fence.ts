import type Database from 'better-sqlite3';
import { VaultError } from '../errors';
import type { StorageOp } from './backend';
import { classOf, type KeyClass } from './key-class';

// Fencing is a comparison the store makes, not a flag someone reads (STYLE.md;
// etcd's election Txn().If(leader revision == mine)). A node that leads a
// replication set stores, per set (its scope: `dr`, `performance`), the epoch
// it leads at (`own`) and the highest epoch any member of the set has told it
// (`seen`, raised over the mutually authenticated cluster port:
// replication/fencing.ts). Every client write compares the two as stored,
// before anything is written: while seen > own, a write to a class that set
// ships is refused with FencedError — whichever route, engine or background
// job made it. The replication applier is never fenced (it writes what a
// primary sent), nor are ignored-class keys (this node's own state, so it can
// still be demoted). The records are entries (ignored class, never shipped),
// so a role change writes its record in the same transaction as the role.
export const FENCE_PREFIX = 'core/node/write-fence/';

export interface FenceRecord {
  /** The epoch this node leads the set at. */
  own: number;
  /** The highest epoch a member of the set has told this node about. */
  seen: number;
  /** The classes the set ships: what a superseded leader must no longer write. */
  classes: KeyClass[];
  /** Who told it (an address), and the error clients get while fenced. */
  by: string;
  reason: string;
}

export const fenceKey = (scope: string) => FENCE_PREFIX + scope;
export const isFenced = (r: FenceRecord | null): r is FenceRecord => r !== null && r.seen > r.own;

/** The op that stores (or, with null, removes) a scope's record: commit it with the role change it belongs to. */
export function fenceOp(scope: string, r: FenceRecord | null): StorageOp {
  return r ? { op: 'put', key: fenceKey(scope), value: Buffer.from(JSON.stringify(r)) } : { op: 'delete', key: fenceKey(scope) };
}

/** A client write refused because a newer leader of its replication set exists. */
export class FencedError extends VaultError {
  constructor(
    readonly scope: string,
    readonly record: FenceRecord,
    readonly key: string,
  ) {
    super('read_only', record.reason || `this cluster was superseded as leader of its ${scope} replication set (epoch ${record.seen} > ${record.own}); it refuses writes`);
    this.name = 'FencedError';
  }
}

export class WriteFence {
  private readonly rows;
  private readonly one;

  constructor(db: Database.Database) {
    this.rows = db.prepare<[string, string], { key: string; value: Buffer }>('SELECT key, value FROM entries WHERE key >= ? AND key < ?');
    this.one = db.prepare<[string], { value: Buffer }>('SELECT value FROM entries WHERE key = ?');
  }

  /** A scope's record as stored. */
  record(scope: string): FenceRecord | null {
    const row = this.one.get(fenceKey(scope));
    return row ? (JSON.parse(row.value.toString()) as FenceRecord) : null;
  }

  /** Throws FencedError for the first op whose class a superseded scope ships. Reads the stored records on every call. */
  check(ops: readonly StorageOp[]): void {
    const rows = this.rows.all(FENCE_PREFIX, FENCE_PREFIX + '\uffff');
    if (!rows.length) return;
    for (const row of rows) {
      const r = JSON.parse(row.value.toString()) as FenceRecord;
      if (!isFenced(r)) continue;
      for (const o of ops) if (r.classes.includes(classOf(o.key))) throw new FencedError(row.key.slice(FENCE_PREFIX.length), r, o.key);
    }
  }
}

import type Database from 'better-sqlite3';
import type { LogRecord, StorageOp } from './backend';
import { classOf, TREE_OF } from './key-class';
import { toBig, type MerkleIndex, type MerkleUndo } from './merkle-index';
import { placementOf } from './tree-builder';
import type { WalLog } from './wal-log';

// The entries table and the one step every commit path shares (client
// transactions, the replication applier, the HA applier): write a row, then
// its merkle leaf and its replication-log record. Running the same step
// everywhere is what makes indices, guards and merkle roots come out equal.

export class EntryTable {
  private readonly sel;
  private readonly selHash;
  private readonly inBucket;
  private readonly upsert;
  private readonly del;

  /** Before WalLog and MerkleIndex open: the table must exist for them. */
  static createSchema(db: Database.Database): void {
    // `hash` is the entry's merkle hash, kept so an overwrite need not rehash the old value.
    // tree/bucket place the entry in the merkle index, so a sync can fetch one bucket's keys.
    db.exec(`CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL, hash BLOB, tree INTEGER, bucket INTEGER) WITHOUT ROWID;
             CREATE INDEX IF NOT EXISTS entries_bucket ON entries (tree, bucket);`);
  }

  constructor(
    db: Database.Database,
    private readonly merkle: MerkleIndex,
    private readonly log: WalLog,
  ) {
    this.sel = db.prepare<[string], { value: Buffer }>('SELECT value FROM entries WHERE key = ?');
    this.selHash = db.prepare<[string], { hash: Buffer | null }>('SELECT hash FROM entries WHERE key = ?');
    this.upsert = db.prepare('INSERT OR REPLACE INTO entries (key, value, hash, tree, bucket) VALUES (?, ?, ?, ?, ?)');
    this.inBucket = db.prepare<[number, number], { key: string; value: Buffer }>('SELECT key, value FROM entries WHERE tree = ? AND bucket = ?');
    this.del = db.prepare('DELETE FROM entries WHERE key = ?');
  }

  get(key: string): Buffer | null {
    return this.sel.get(key)?.value ?? null;
  }

  inBuckets(tree: number, buckets: number[]): { key: string; value: Buffer }[] {
    return buckets.flatMap((b) => this.inBucket.all(tree, b));
  }

  /** One op inside the caller's transaction; its merkle change goes to `undo`. Null: no record (an ignored key, or a delete of nothing). */
  applyOne(o: StorageOp, undo: MerkleUndo[]): LogRecord | null {
    const old = this.selHash.get(o.key);
    const cls = classOf(o.key);
    let newHash: Buffer | null = null;
    if (o.op === 'put') {
      if (!Buffer.isBuffer(o.value)) throw new Error(`put of ${o.key} without a value`);
      const p = placementOf(o.key, o.value);
      newHash = p.hash;
      this.upsert.run(o.key, o.value, p.hash, p.tree, p.bucket);
    } else {
      if (!old) return null; // deleting nothing changes nothing: no record
      this.del.run(o.key);
    }
    if (cls === 'ignored') return null;
    const change = this.merkle.update(TREE_OF[cls], o.key, toBig(old?.hash), toBig(newHash));
    if (change) undo.push(change);
    return this.log.append(o.key, o.op, o.op === 'put' ? o.value : null, cls);
  }
}

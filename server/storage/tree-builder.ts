import type Database from 'better-sqlite3';
import { classOf, TREE_OF } from './key-class';
import { bucketOf, entryHashBytes, LEAF_COUNT, LEAVES_PER_PAGE, MOD, PAGE_COUNT, toBig, TREE_COUNT } from './merkle-index';

// The slow, obvious merkle tree: recomputed from the stored entries
// themselves. merkle-check compares it with the incrementally kept one;
// reindex swaps it in. Entries are read in key order, a chunk at a time, from
// a snapshot connection, so the event loop (and every writer) keeps going.
export const SCAN_CHUNK = 1_000;

export interface EntryRow {
  key: string;
  value: Buffer;
  hash: Buffer | null;
  tree: number | null;
  bucket: number | null;
}

/** Where an entry belongs in the index (null fields: an ignored key, in no tree). */
export interface Placement {
  hash: Buffer | null;
  tree: number | null;
  bucket: number | null;
}

export function placementOf(key: string, value: Buffer): Placement {
  const cls = classOf(key);
  if (cls === 'ignored') return { hash: null, tree: null, bucket: null };
  return { hash: entryHashBytes(key, value), tree: TREE_OF[cls], bucket: bucketOf(key) };
}

export class TreeBuilder {
  readonly leaves: bigint[][] = Array.from({ length: TREE_COUNT }, () => new Array<bigint>(LEAF_COUNT).fill(0n));
  /** Entries whose stored hash/tree/bucket columns disagree with their value (the index's own bookkeeping is off). */
  readonly fixes = new Map<string, Placement>();
  entries = 0;

  add(row: EntryRow): void {
    const p = placementOf(row.key, row.value);
    this.entries += 1;
    if (p.tree !== null) this.shift(p.tree, p.bucket!, toBig(p.hash));
    const same = row.tree === p.tree && row.bucket === p.bucket && (row.hash === null ? p.hash === null : p.hash !== null && row.hash.equals(p.hash));
    if (!same) this.fixes.set(row.key, p);
  }

  /** A key changed after the snapshot this tree was built from (reindex wal-replay). */
  replay(key: string, before: Buffer | null, after: Buffer | null): void {
    if (before) {
      const p = placementOf(key, before);
      if (p.tree !== null) this.shift(p.tree, p.bucket!, -toBig(p.hash));
    }
    if (after) {
      const p = placementOf(key, after);
      if (p.tree !== null) this.shift(p.tree, p.bucket!, toBig(p.hash));
    }
    this.fixes.delete(key); // its columns were written fresh by that later write
  }

  private shift(tree: number, bucket: number, delta: bigint): void {
    this.leaves[tree][bucket] = (((this.leaves[tree][bucket] + delta) % MOD) + MOD) % MOD;
  }

  /** Page sums of one tree, from its leaves. */
  pages(tree: number): bigint[] {
    const out = new Array<bigint>(PAGE_COUNT).fill(0n);
    for (let b = 0; b < LEAF_COUNT; b++) out[Math.floor(b / LEAVES_PER_PAGE)] += this.leaves[tree][b];
    return out.map((v) => v % MOD);
  }
}

/** Reads the entries of one snapshot connection a chunk at a time, in key order. */
export function entryScanner(db: Database.Database): (after: string | null) => EntryRow[] {
  const first = db.prepare<[number], EntryRow>('SELECT key, value, hash, tree, bucket FROM entries ORDER BY key LIMIT ?');
  const next = db.prepare<[string, number], EntryRow>('SELECT key, value, hash, tree, bucket FROM entries WHERE key > ? ORDER BY key LIMIT ?');
  return (after) => (after === null ? first.all(SCAN_CHUNK) : next.all(after, SCAN_CHUNK));
}

/** Builds the tree from every entry the connection sees, without yielding (an in-memory store has no second connection). */
export function buildFromEntriesNow(db: Database.Database, b: TreeBuilder): void {
  const scan = entryScanner(db);
  let after: string | null = null;
  for (;;) {
    const rows = scan(after);
    for (const r of rows) b.add(r);
    if (rows.length < SCAN_CHUNK) return;
    after = rows[rows.length - 1].key;
  }
}

/** Builds the tree from every entry the connection sees, yielding between chunks when asked to. */
export async function buildFromEntries(db: Database.Database, b: TreeBuilder, onChunk: (done: number) => Promise<void> | void): Promise<void> {
  const scan = entryScanner(db);
  let after: string | null = null;
  for (;;) {
    const rows = scan(after);
    for (const r of rows) b.add(r);
    if (rows.length < SCAN_CHUNK) return void (await onChunk(b.entries));
    after = rows[rows.length - 1].key;
    await onChunk(b.entries);
  }
}

/** Holds a read transaction open on a connection of its own: everything read through it is one committed snapshot. */
export function openSnapshot(db: Database.Database): { db: Database.Database; release(): void } {
  db.exec('BEGIN');
  db.prepare('SELECT 1 FROM entries LIMIT 1').get(); // a deferred BEGIN takes its snapshot at the first read
  return {
    db,
    release: () => {
      try {
        if (db.inTransaction) db.exec('ROLLBACK');
      } finally {
        if (db.readonly) db.close();
      }
    },
  };
}

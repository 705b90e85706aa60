import Database from 'better-sqlite3';
import type { LogRecord } from './backend';
import { LEAVES_PER_PAGE, PAGE_COUNT } from './merkle-index';
import { countWithinBytes, GENESIS_GUARD, toRecord, type WalRow } from './wal-log';

// What a primary ships is read here: from a second, read-only connection on
// the same SQLite file. In WAL mode each read transaction of that connection
// sees the last COMMIT and nothing after it, so a group commit still open on
// the writer (or one that later fails) can never leak into a frame. The
// merkle sums are read from their committed rows too, never from the writer's
// in-memory tree, which runs ahead of COMMIT. (litestream ships only what is
// checkpointed; STYLE.md "Readers of shipped data see only committed state".)

/** A log position: the index of a record and its chain guard. */
export interface CommittedPosition {
  index: number;
  guard: string;
}

export interface LogReader {
  /** Committed records from `index` on, at most `limit` and about `maxBytes` of key + value (always ≥ 1 while any remain). */
  readFrom(index: number, limit: number, maxBytes?: number): LogRecord[];
  at(index: number): LogRecord | null;
  /** Oldest record still held (records below it were garbage collected). */
  firstIndex(): number;
  /** The committed tip. */
  tip(): CommittedPosition;
}

export interface MerkleReader {
  /** The PAGE_COUNT page hashes of a tree and the log position they are consistent with (one snapshot). */
  pages(tree: number): { hashes: Buffer[]; position: CommittedPosition };
  /** The LEAVES_PER_PAGE leaf hashes of each page. */
  leaves(tree: number, pages: number[]): { page: number; hashes: Buffer[] }[];
}

export interface EntryReader {
  get(key: string): Buffer | null;
  /** Committed entries of some merkle buckets of one tree. */
  entriesInBuckets(tree: number, buckets: number[]): { key: string; value: Buffer }[];
}

/** Every shipped entry (replicated and local; never this node's own) with the position they are consistent with: a snapshot's content. */
export interface SnapshotReader {
  everything(): { position: CommittedPosition; entries: { key: string; value: Buffer }[] };
}

export type CommittedReader = LogReader & MerkleReader & EntryReader & SnapshotReader;

const ZERO = Buffer.alloc(32);

/** Prepared statements over one connection; `db` is read-only unless the store is in memory. */
export class SqliteCommittedReader implements CommittedReader {
  private readonly selectFrom;
  private readonly sizesFrom;
  private readonly selectAt;
  private readonly selectFirst;
  private readonly selectLast;
  private readonly selectTip;
  private readonly selectPages;
  private readonly selectLeaves;
  private readonly selectValue;
  private readonly selectBucket;
  private readonly selectShipped;
  private readonly snapshot: <T>(fn: () => T) => T;

  constructor(private readonly db: Database.Database) {
    this.selectFrom = db.prepare<[number, number], WalRow>('SELECT * FROM wal WHERE idx >= ? ORDER BY idx LIMIT ?');
    this.sizesFrom = db.prepare<[number, number], { n: number }>('SELECT length(key) + ifnull(length(value), 0) AS n FROM wal WHERE idx >= ? ORDER BY idx LIMIT ?');
    this.selectAt = db.prepare<[number], WalRow>('SELECT * FROM wal WHERE idx = ?');
    this.selectFirst = db.prepare<[], { idx: number | null }>('SELECT MIN(idx) AS idx FROM wal');
    this.selectLast = db.prepare<[], { idx: number; guard: string }>('SELECT idx, guard FROM wal ORDER BY idx DESC LIMIT 1');
    this.selectTip = db.prepare<[], { v: string }>("SELECT v FROM wal_meta WHERE k = 'tip'");
    this.selectPages = db.prepare<[number], { page: number; hash: Buffer }>('SELECT page, hash FROM merkle_page WHERE tree = ?');
    this.selectLeaves = db.prepare<[number, number, number], { bucket: number; hash: Buffer }>('SELECT bucket, hash FROM merkle_leaf WHERE tree = ? AND bucket >= ? AND bucket < ?');
    this.selectValue = db.prepare<[string], { value: Buffer }>('SELECT value FROM entries WHERE key = ?');
    this.selectBucket = db.prepare<[number, number], { key: string; value: Buffer }>('SELECT key, value FROM entries WHERE tree = ? AND bucket = ?');
    // tree is NULL exactly for `ignored` keys (tree-builder.ts placementOf).
    this.selectShipped = db.prepare<[], { key: string; value: Buffer }>('SELECT key, value FROM entries WHERE tree IS NOT NULL ORDER BY key');
    // Several SELECTs in one read transaction see one snapshot.
    this.snapshot = <T>(fn: () => T): T => db.transaction(fn).deferred();
  }

  /** Opens the read-only connection on a store file (the writer created it and its -wal/-shm). */
  static open(path: string): SqliteCommittedReader {
    return new SqliteCommittedReader(new Database(path, { readonly: true, fileMustExist: true }));
  }

  close(): void {
    if (this.db.open && this.db.readonly) this.db.close();
  }

  readFrom(index: number, limit: number, maxBytes = Infinity): LogRecord[] {
    return this.snapshot(() => {
      if (maxBytes !== Infinity) limit = countWithinBytes(this.sizesFrom.all(index, limit), maxBytes);
      return this.selectFrom.all(index, limit).map(toRecord);
    });
  }

  at(index: number): LogRecord | null {
    const row = this.selectAt.get(index);
    return row ? toRecord(row) : null;
  }

  firstIndex(): number {
    return this.snapshot(() => this.selectFirst.get()?.idx ?? this.tip().index + 1);
  }

  tip(): CommittedPosition {
    return this.snapshot(() => {
      const last = this.selectLast.get();
      if (last) return { index: last.idx, guard: last.guard };
      // An empty log (GC'd or wiped) remembers its tip in wal_meta.
      const meta = this.selectTip.get();
      if (!meta) return { index: 0, guard: GENESIS_GUARD };
      const t = JSON.parse(meta.v) as { idx: number; guard: string };
      return { index: t.idx, guard: t.guard };
    });
  }

  pages(tree: number): { hashes: Buffer[]; position: CommittedPosition } {
    return this.snapshot(() => {
      const hashes = new Array<Buffer>(PAGE_COUNT).fill(ZERO);
      for (const r of this.selectPages.all(tree)) hashes[r.page] = r.hash;
      return { hashes, position: this.tip() };
    });
  }

  leaves(tree: number, pages: number[]): { page: number; hashes: Buffer[] }[] {
    return this.snapshot(() =>
      pages.map((page) => {
        const first = page * LEAVES_PER_PAGE;
        const hashes = new Array<Buffer>(LEAVES_PER_PAGE).fill(ZERO);
        for (const r of this.selectLeaves.all(tree, first, first + LEAVES_PER_PAGE)) hashes[r.bucket - first] = r.hash;
        return { page, hashes };
      }),
    );
  }

  get(key: string): Buffer | null {
    return this.selectValue.get(key)?.value ?? null;
  }

  entriesInBuckets(tree: number, buckets: number[]): { key: string; value: Buffer }[] {
    return this.snapshot(() => buckets.flatMap((b) => this.selectBucket.all(tree, b)));
  }

  everything(): { position: CommittedPosition; entries: { key: string; value: Buffer }[] } {
    return this.snapshot(() => ({ position: this.tip(), entries: this.selectShipped.all() }));
  }
}

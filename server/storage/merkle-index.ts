import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

// A merkle index that keeps writes O(1): each key hashes into one of
// LEAF_COUNT buckets (PAGE_COUNT pages × LEAVES_PER_PAGE leaves). A bucket's
// hash is the sum mod 2^256 of H(key ‖ H(value)) over its entries, so a write
// subtracts the old entry hash and adds the new one — never a rescan. A page
// hash is the sum of its leaves, updated by the same delta. A diff costs two
// round trips: compare page hashes, then the differing pages' leaves.
//
// The sums live in memory and dirty buckets are written back by flush(),
// which the storage layer calls inside the same SQLite transaction as the
// entries, just before COMMIT — so many writes in one group commit touch each
// merkle row once, and the tree on disk never disagrees with the data.
export const PAGE_COUNT = 64;
export const LEAVES_PER_PAGE = 64;
export const LEAF_COUNT = PAGE_COUNT * LEAVES_PER_PAGE;
export const TREE_COUNT = 2;
export const MOD = 1n << 256n;

export function bucketOf(key: string): number {
  const h = createHash('sha256').update(key).digest();
  return h.readUInt16BE(0) % LEAF_COUNT;
}

/** The per-entry hash H(key ‖ 0 ‖ H(value)), as 32 bytes. */
export function entryHashBytes(key: string, value: Buffer): Buffer {
  const inner = createHash('sha256').update(value).digest();
  return createHash('sha256').update(key).update(Buffer.from([0])).update(inner).digest();
}

export function entryHash(key: string, value: Buffer): bigint {
  return toBig(entryHashBytes(key, value));
}

export const toBuf = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex');
export const toBig = (b: Buffer | null | undefined) => (b && b.length ? BigInt('0x' + b.toString('hex')) : 0n);

export interface MerkleUndo {
  tree: number;
  bucket: number;
  delta: bigint;
}

export class MerkleIndex {
  private readonly leaves: bigint[][] = [];
  private readonly pages: bigint[][] = [];
  private readonly dirty: Set<number>[] = [];
  private readonly setLeaf;
  private readonly setPage;
  private readonly clearRows;

  constructor(db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS merkle_leaf (tree INTEGER, bucket INTEGER, hash BLOB, PRIMARY KEY (tree, bucket)) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS merkle_page (tree INTEGER, page INTEGER, hash BLOB, PRIMARY KEY (tree, page)) WITHOUT ROWID;`);
    this.setLeaf = db.prepare('INSERT OR REPLACE INTO merkle_leaf (tree, bucket, hash) VALUES (?, ?, ?)');
    this.setPage = db.prepare('INSERT OR REPLACE INTO merkle_page (tree, page, hash) VALUES (?, ?, ?)');
    this.clearRows = [db.prepare('DELETE FROM merkle_leaf WHERE tree = ?'), db.prepare('DELETE FROM merkle_page WHERE tree = ?')];
    for (let t = 0; t < TREE_COUNT; t++) {
      this.leaves.push(new Array<bigint>(LEAF_COUNT).fill(0n));
      this.pages.push(new Array<bigint>(PAGE_COUNT).fill(0n));
      this.dirty.push(new Set());
    }
    for (const r of db.prepare<[], { tree: number; bucket: number; hash: Buffer }>('SELECT tree, bucket, hash FROM merkle_leaf').all())
      this.leaves[r.tree][r.bucket] = toBig(r.hash);
    for (let t = 0; t < TREE_COUNT; t++) this.recomputePages(t);
  }

  private recomputePages(tree: number): void {
    for (let p = 0; p < PAGE_COUNT; p++) {
      let sum = 0n;
      for (let l = 0; l < LEAVES_PER_PAGE; l++) sum += this.leaves[tree][p * LEAVES_PER_PAGE + l];
      this.pages[tree][p] = sum % MOD;
    }
  }

  /** Apply a key's change (old/new entry hashes) in memory; returns how to undo it. */
  update(tree: number, key: string, oldHash: bigint, newHash: bigint): MerkleUndo | null {
    const delta = newHash - oldHash;
    if (delta === 0n) return null;
    const bucket = bucketOf(key);
    this.apply(tree, bucket, delta);
    return { tree, bucket, delta };
  }

  private apply(tree: number, bucket: number, delta: bigint): void {
    const page = Math.floor(bucket / LEAVES_PER_PAGE);
    this.leaves[tree][bucket] = (((this.leaves[tree][bucket] + delta) % MOD) + MOD) % MOD;
    this.pages[tree][page] = (((this.pages[tree][page] + delta) % MOD) + MOD) % MOD;
    this.dirty[tree].add(bucket);
  }

  undo(changes: MerkleUndo[]): void {
    for (let i = changes.length - 1; i >= 0; i--) this.apply(changes[i].tree, changes[i].bucket, -changes[i].delta);
  }

  /** Write dirty buckets; call inside the transaction that holds the entries. */
  flush(): void {
    for (let t = 0; t < TREE_COUNT; t++) {
      const pagesTouched = new Set<number>();
      for (const b of this.dirty[t]) {
        this.setLeaf.run(t, b, toBuf(this.leaves[t][b]));
        pagesTouched.add(Math.floor(b / LEAVES_PER_PAGE));
      }
      for (const p of pagesTouched) this.setPage.run(t, p, toBuf(this.pages[t][p]));
      this.dirty[t].clear();
    }
  }

  /** Forget unflushed changes by reloading from disk (after a failed commit). */
  reload(db: Database.Database): void {
    for (let t = 0; t < TREE_COUNT; t++) {
      this.leaves[t].fill(0n);
      this.dirty[t].clear();
    }
    for (const r of db.prepare<[], { tree: number; bucket: number; hash: Buffer }>('SELECT tree, bucket, hash FROM merkle_leaf').all())
      this.leaves[r.tree][r.bucket] = toBig(r.hash);
    for (let t = 0; t < TREE_COUNT; t++) this.recomputePages(t);
  }

  /** The PAGE_COUNT page hashes of a tree. */
  pageHashes(tree: number): Buffer[] {
    return this.pages[tree].map(toBuf);
  }

  /** The LEAVES_PER_PAGE leaf hashes of one page. */
  leafHashes(tree: number, page: number): Buffer[] {
    return this.leaves[tree].slice(page * LEAVES_PER_PAGE, (page + 1) * LEAVES_PER_PAGE).map(toBuf);
  }

  /** 40-hex root, as Vault's status shows `merkle_root`. */
  root(tree: number): string {
    const h = createHash('sha1');
    for (const p of this.pages[tree]) h.update(toBuf(p));
    return h.digest('hex');
  }

  /**
   * Swap in trees rebuilt from the entries (reindex): every leaf and page row
   * is rewritten. Call inside the transaction that commits the rebuild.
   */
  replace(leaves: bigint[][]): void {
    for (let t = 0; t < TREE_COUNT; t++) {
      for (const stmt of this.clearRows) stmt.run(t);
      this.leaves[t] = leaves[t].map((v) => ((v % MOD) + MOD) % MOD);
      this.recomputePages(t);
      this.dirty[t] = new Set(this.leaves[t].keys());
    }
    this.flush();
  }

  /** Empty a tree (the caller deletes its entries in the same transaction). */
  reset(tree: number): void {
    for (const stmt of this.clearRows) stmt.run(tree);
    this.leaves[tree].fill(0n);
    this.pages[tree].fill(0n);
    this.dirty[tree].clear();
  }
}

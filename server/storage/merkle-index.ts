import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

// A merkle index that keeps writes O(1): each key hashes into one of
// LEAF_COUNT buckets (PAGE_COUNT pages × LEAVES_PER_PAGE leaves). A bucket's
// hash is the sum mod 2^256 of H(key ‖ H(value)) over its entries, so a write
// subtracts the old entry hash and adds the new one — never a rescan. A page
// hash is the sum of its leaves, updated by the same delta. A diff costs two
// round trips: compare page hashes, then the differing pages' leaves.
export const PAGE_COUNT = 64;
export const LEAVES_PER_PAGE = 64;
export const LEAF_COUNT = PAGE_COUNT * LEAVES_PER_PAGE;
const MOD = 1n << 256n;
const ZERO = Buffer.alloc(32);

export function bucketOf(key: string): number {
  const h = createHash('sha256').update(key).digest();
  return h.readUInt16BE(0) % LEAF_COUNT;
}

export function entryHash(key: string, value: Buffer): bigint {
  const inner = createHash('sha256').update(value).digest();
  const outer = createHash('sha256').update(key).update(Buffer.from([0])).update(inner).digest();
  return BigInt('0x' + outer.toString('hex'));
}

const toBuf = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex');
const toBig = (b: Buffer | undefined) => (b ? BigInt('0x' + b.toString('hex')) : 0n);

export class MerkleIndex {
  private readonly getLeaf;
  private readonly setLeaf;
  private readonly getPage;
  private readonly setPage;
  private readonly pages;
  private readonly leavesOfPage;
  private readonly clearTree;

  constructor(db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS merkle_leaf (tree INTEGER, bucket INTEGER, hash BLOB, PRIMARY KEY (tree, bucket)) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS merkle_page (tree INTEGER, page INTEGER, hash BLOB, PRIMARY KEY (tree, page)) WITHOUT ROWID;`);
    this.getLeaf = db.prepare<[number, number], { hash: Buffer }>('SELECT hash FROM merkle_leaf WHERE tree = ? AND bucket = ?');
    this.setLeaf = db.prepare('INSERT OR REPLACE INTO merkle_leaf (tree, bucket, hash) VALUES (?, ?, ?)');
    this.getPage = db.prepare<[number, number], { hash: Buffer }>('SELECT hash FROM merkle_page WHERE tree = ? AND page = ?');
    this.setPage = db.prepare('INSERT OR REPLACE INTO merkle_page (tree, page, hash) VALUES (?, ?, ?)');
    this.pages = db.prepare<[number], { page: number; hash: Buffer }>('SELECT page, hash FROM merkle_page WHERE tree = ?');
    this.leavesOfPage = db.prepare<[number, number, number], { bucket: number; hash: Buffer }>(
      'SELECT bucket, hash FROM merkle_leaf WHERE tree = ? AND bucket >= ? AND bucket < ?',
    );
    this.clearTree = [
      db.prepare('DELETE FROM merkle_leaf WHERE tree = ?'),
      db.prepare('DELETE FROM merkle_page WHERE tree = ?'),
    ];
  }

  /** Apply a key's change to the tree; call inside the write's transaction. */
  update(tree: number, key: string, oldValue: Buffer | null, newValue: Buffer | null): void {
    let delta = 0n;
    if (oldValue) delta -= entryHash(key, oldValue);
    if (newValue) delta += entryHash(key, newValue);
    if (delta === 0n) return;
    const bucket = bucketOf(key);
    const page = Math.floor(bucket / LEAVES_PER_PAGE);
    const leaf = (toBig(this.getLeaf.get(tree, bucket)?.hash) + delta + MOD) % MOD;
    this.setLeaf.run(tree, bucket, toBuf(leaf));
    const pageHash = (toBig(this.getPage.get(tree, page)?.hash) + delta + MOD) % MOD;
    this.setPage.run(tree, page, toBuf(pageHash));
  }

  /** The PAGE_COUNT page hashes of a tree (zero where empty). */
  pageHashes(tree: number): Buffer[] {
    const out: Buffer[] = Array.from({ length: PAGE_COUNT }, () => ZERO);
    for (const row of this.pages.all(tree)) out[row.page] = row.hash;
    return out;
  }

  /** The LEAVES_PER_PAGE leaf hashes of one page. */
  leafHashes(tree: number, page: number): Buffer[] {
    const out: Buffer[] = Array.from({ length: LEAVES_PER_PAGE }, () => ZERO);
    const first = page * LEAVES_PER_PAGE;
    for (const row of this.leavesOfPage.all(tree, first, first + LEAVES_PER_PAGE)) out[row.bucket - first] = row.hash;
    return out;
  }

  /** 40-hex root, as Vault's status shows `merkle_root`. */
  root(tree: number): string {
    const h = createHash('sha1');
    for (const p of this.pageHashes(tree)) h.update(p);
    return h.digest('hex');
  }

  reset(tree: number): void {
    for (const stmt of this.clearTree) stmt.run(tree);
  }
}

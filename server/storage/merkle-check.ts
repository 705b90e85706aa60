import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { LEAF_COUNT, LEAVES_PER_PAGE, MOD, PAGE_COUNT, toBig, toBuf, TREE_COUNT } from './merkle-index';
import type { TreeBuilder } from './tree-builder';

// sys/replication/merkle-check: compare the stored (committed) merkle rows
// with a tree recomputed from the stored entries, node by node, in Vault's
// report shape (website/content/api-docs/system/replication/index.mdx
// "merkle-check"; docs/enterprise/replication/check-merkle-tree-corruption):
// trees keyed "1" (replicated) and "2" (local); per page `corrupted` when the
// page hash is wrong, `subpages` listing the wrong leaves (our buckets).
export interface CorruptedPage {
  corrupted: boolean;
  subpages: number[];
}

export interface MerkleTreeReport {
  tree_type: 'replicated' | 'local';
  /** Base64 of the tree's 20-byte root (the stored one). */
  root_hash: string;
  corrupted_subtree_root: boolean;
  corrupted_index_tuples_map: Record<string, CorruptedPage> | null;
}

export interface MerkleCorruptionReport {
  corrupted_root: boolean;
  corrupted_tree_map: Record<string, MerkleTreeReport>;
  /** RFC3339, as Vault's report shows it. */
  last_corruption_check_epoch: string;
}

const TREE_TYPE = ['replicated', 'local'] as const;

/** The 20-byte root over a tree's page sums; the same hash MerkleIndex.root() shows as hex. */
export function rootOfPages(pages: bigint[]): Buffer {
  const h = createHash('sha1');
  for (const p of pages) h.update(toBuf(p));
  return h.digest();
}

/** The stored leaf and page sums of every tree, as the connection's snapshot sees them. */
function storedTrees(db: Database.Database): { leaves: bigint[][]; pages: bigint[][] } {
  const leaves = Array.from({ length: TREE_COUNT }, () => new Array<bigint>(LEAF_COUNT).fill(0n));
  const pages = Array.from({ length: TREE_COUNT }, () => new Array<bigint>(PAGE_COUNT).fill(0n));
  for (const r of db.prepare<[], { tree: number; bucket: number; hash: Buffer }>('SELECT tree, bucket, hash FROM merkle_leaf').all()) leaves[r.tree][r.bucket] = toBig(r.hash);
  for (const r of db.prepare<[], { tree: number; page: number; hash: Buffer }>('SELECT tree, page, hash FROM merkle_page').all()) pages[r.tree][r.page] = toBig(r.hash);
  return { leaves, pages };
}

/** Compare the stored trees with the recomputed ones; `db` must be the snapshot the builder read. */
export function compareTrees(db: Database.Database, built: TreeBuilder, at: Date): { report: MerkleCorruptionReport; corrupted: boolean } {
  const stored = storedTrees(db);
  const map: Record<string, MerkleTreeReport> = {};
  let anyCorrupted = false;
  for (let t = 0; t < TREE_COUNT; t++) {
    const truePages = built.pages(t);
    const tuples: Record<string, CorruptedPage> = {};
    for (let p = 0; p < PAGE_COUNT; p++) {
      const subpages: number[] = [];
      for (let l = 0; l < LEAVES_PER_PAGE; l++) {
        const b = p * LEAVES_PER_PAGE + l;
        if (stored.leaves[t][b] !== built.leaves[t][b]) subpages.push(l);
      }
      const corrupted = stored.pages[t][p] !== truePages[p];
      if (corrupted || subpages.length) tuples[String(p)] = { corrupted, subpages };
    }
    const storedRoot = rootOfPages(stored.pages[t]);
    const subtreeCorrupted = !storedRoot.equals(rootOfPages(truePages));
    const hasTuples = Object.keys(tuples).length > 0;
    anyCorrupted ||= subtreeCorrupted || hasTuples;
    map[String(t + 1)] = {
      tree_type: TREE_TYPE[t],
      root_hash: storedRoot.toString('base64'),
      corrupted_subtree_root: subtreeCorrupted,
      corrupted_index_tuples_map: hasTuples ? tuples : null,
    };
  }
  const report = { corrupted_root: Object.values(map).some((r) => r.corrupted_subtree_root), corrupted_tree_map: map, last_corruption_check_epoch: at.toISOString() };
  return { report, corrupted: anyCorrupted };
}

/**
 * The cheap check a node makes when it opens its store: do the stored page
 * sums equal the sums of their stored leaves? (They are written together, so a
 * mismatch means the file was damaged or edited.) The full check reads every entry.
 */
export function pagesMatchLeaves(db: Database.Database): boolean {
  const stored = storedTrees(db);
  for (let t = 0; t < TREE_COUNT; t++) {
    for (let p = 0; p < PAGE_COUNT; p++) {
      let sum = 0n;
      for (let l = 0; l < LEAVES_PER_PAGE; l++) sum += stored.leaves[t][p * LEAVES_PER_PAGE + l];
      if (sum % MOD !== stored.pages[t][p]) return false;
    }
  }
  return true;
}

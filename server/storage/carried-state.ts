import type Database from 'better-sqlite3';
import type { MerkleIndex } from './merkle-index';
import { NODE_PREFIX, type LogPosition } from './quorum';
import { buildFromEntriesNow, placementOf, TreeBuilder } from './tree-builder';
import type { WalLog } from './wal-log';

// Repair and bootstrap of an HA node (ha-design.md decision 5): every key the
// cluster's log carries is replaced by the cluster's state at one etcd
// revision, the merkle index is rebuilt from the entries, and the WalLog
// either keeps its records up to that position (they are the cluster's own:
// a replication secondary behind it resumes from them) or, when the node's
// history cannot be matched, restarts there with no older records (such a
// secondary falls back to merkle-diff, as after GC).
// This node's own keys (core/node/) stay. The caller runs it inside one
// immediate transaction together with its own bookkeeping.

/** The first key after every `core/node/…` key ('/' + 1 is '0'). */
const NODE_END = NODE_PREFIX.slice(0, -1) + '0';

export interface CarriedEntry {
  key: string;
  value: Buffer;
}

/** `keepLog`: keep the WalLog records up to `at` (they must end there) instead of restarting the log empty at `at`. */
export function replaceCarried(db: Database.Database, log: WalLog, merkle: MerkleIndex, entries: Iterable<CarriedEntry>, at: LogPosition, keepLog = false): void {
  db.prepare('DELETE FROM entries WHERE key < ? OR key >= ?').run(NODE_PREFIX, NODE_END);
  const insert = db.prepare('INSERT OR REPLACE INTO entries (key, value, hash, tree, bucket) VALUES (?, ?, ?, ?, ?)');
  for (const e of entries) {
    if (e.key.startsWith(NODE_PREFIX)) continue; // never the cluster's to set
    const p = placementOf(e.key, e.value);
    insert.run(e.key, e.value, p.hash, p.tree, p.bucket);
  }
  const tree = new TreeBuilder();
  buildFromEntriesNow(db, tree);
  merkle.replace(tree.leaves);
  if (keepLog) log.truncateAfter(at.index, at.guard);
  else log.resetTo(at.index, at.guard);
}

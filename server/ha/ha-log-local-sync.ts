import type { SqliteBackend } from '../storage/sqlite';

// On an HA node a write is acknowledged once etcd's quorum committed it, so
// etcd — not this node's SQLite — is where it is durable, and the local
// COMMITs need not wait for fsync: in WAL mode synchronous=NORMAL is still
// atomic and consistent, and a process crash loses nothing (the WAL is in the
// OS cache); only a power loss can drop the local tail. Then a follower's
// `core/node/ha-applied` marker, committed in the same transaction as what it
// applied, goes back with it and the node follows (or repairs) from there; a
// node that was leading repairs from etcd at start-up (its marker says
// `leading`, committed with FULL before its first relaxed commit). With FULL,
// every group commit on the active while an append was in flight paid its own
// fsync, blocking the event loop that sends the appends, and every follower
// apply — on the path of a forwarded write's read-your-writes wait — paid one.
// bench:ha measured the active's part: 3-node writes 1.28× faster.

/** Following, or leading once the `leading` marker is durable: local commits stop waiting for fsync. */
export function relaxLocalSync(storage: SqliteBackend): void {
  if (!storage.path) return;
  storage.commitBatch(); // the pragma applies outside a transaction; the open group commit goes with the old setting
  storage.db.pragma('synchronous = NORMAL');
}

/** Before a marker that must survive a power loss (`leading`, or a clean step-down), and on close: FULL again (its COMMIT syncs the WAL, earlier relaxed commits included). */
export function restoreLocalSync(storage: SqliteBackend): void {
  if (!storage.path) return;
  storage.commitBatch();
  storage.db.pragma('synchronous = FULL');
}

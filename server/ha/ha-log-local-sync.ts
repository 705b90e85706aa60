import type { SqliteBackend } from '../storage/sqlite';

// While a node leads the HA log, a write is acknowledged once etcd's quorum
// committed it, so etcd — not this node's SQLite — is where it is durable. The
// local COMMIT before each append need not wait for fsync: in WAL mode
// synchronous=NORMAL is still atomic and consistent, and a process crash loses
// nothing (the WAL is in the OS cache); only a power loss can drop the local
// tail, and a node that crashed while leading repairs from etcd at start-up
// anyway (its `core/node/ha-applied` marker says `leading`, and that marker
// was committed with FULL before the first relaxed commit). With FULL, every
// group commit while an append was in flight paid its own fsync, blocking the
// event loop that sends the appends: bench/ha.ts measured the 3-node write
// rate at about a quarter of a single node's with it (see ha-log.ts lead()).

/** After the `leading` marker is durable: local commits stop waiting for fsync. */
export function relaxLocalSync(storage: SqliteBackend): void {
  if (!storage.path) return;
  storage.commitBatch(); // the pragma applies outside a transaction; the open group commit goes with the old setting
  storage.db.pragma('synchronous = NORMAL');
}

/** Before the marker that says this node's state is exactly etcd's: FULL again (its COMMIT syncs the WAL, earlier relaxed commits included). */
export function restoreLocalSync(storage: SqliteBackend): void {
  if (!storage.path) return;
  storage.commitBatch();
  storage.db.pragma('synchronous = FULL');
}

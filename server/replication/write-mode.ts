import type { SqliteBackend } from '../storage/sqlite';
import type { WriteMode } from '../storage/write-ownership';
import { MODES, statePath, type ClusterMode, type Mode } from './state';

// Storage's write mode (storage/write-ownership.ts) follows this node's stored
// replication roles — whatever wrote them (a transition, a bootstrap applied
// by the applier, a rolled-back commit) — through storage's change bus, so no
// code path can change a role without changing who may write.
const follows = (m: ClusterMode) => m === 'secondary' || m === 'bootstrapping';

export function writeModeOf(modes: Record<Mode, ClusterMode>): WriteMode {
  if (follows(modes.dr)) return 'dr-secondary';
  if (follows(modes.performance)) return 'performance-secondary';
  return 'all';
}

/** Read from storage itself: the store's cache may not hold the write being published yet. */
function storedMode(physical: SqliteBackend, m: Mode): ClusterMode {
  const raw = physical.get(statePath(m));
  return raw ? ((JSON.parse(raw.toString()) as { mode?: ClusterMode }).mode ?? 'disabled') : 'disabled';
}

/** Set the write mode now and after every change of a stored role; returns the unsubscribe function. */
export function followStoredRoles(physical: SqliteBackend): () => void {
  const sync = () => physical.setWriteMode(writeModeOf({ dr: storedMode(physical, 'dr'), performance: storedMode(physical, 'performance') }));
  sync();
  return physical.changes.subscribe(MODES.map(statePath), sync);
}

import type { SqliteBackend } from '../storage/sqlite';
import type { RoleSource, WriteMode } from '../storage/write-ownership';
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

const modeIn = (value: Buffer | null): ClusterMode => (value ? ((JSON.parse(value.toString()) as { mode?: ClusterMode }).mode ?? 'disabled') : 'disabled');

/** Read from storage itself: the store's cache may not hold the write being published yet. */
function storedModes(physical: SqliteBackend): Record<Mode, ClusterMode> {
  return { dr: modeIn(physical.get(statePath('dr'))), performance: modeIn(physical.get(statePath('performance'))) };
}

/** The roles as stored, and as a transaction that rewrites them leaves them. */
function roleSource(physical: SqliteBackend): RoleSource {
  const keyOf = new Map(MODES.map((m) => [statePath(m), m] as const));
  return {
    keys: new Set(keyOf.keys()),
    modeAfter: (ops) => {
      const modes = storedModes(physical);
      for (const o of ops) {
        const m = keyOf.get(o.key);
        if (m) modes[m] = o.op === 'put' ? modeIn(o.value) : 'disabled';
      }
      return writeModeOf(modes);
    },
  };
}

/** Set the write mode now and after every change of a stored role; returns the unsubscribe function. */
export function followStoredRoles(physical: SqliteBackend): () => void {
  const roles = roleSource(physical);
  const sync = () => physical.setWriteMode(writeModeOf(storedModes(physical)), roles);
  sync();
  return physical.changes.subscribe([...roles.keys], sync);
}

// Every storage key has a replication class fixed by its prefix
// (ARCHITECTURE.md "Storage and what replicates"):
//  - replicated: shipped to performance and DR secondaries
//  - local:      shipped to DR secondaries only (tokens, leases, local mounts)
//  - ignored:    never shipped (this node's own replication state)
export type KeyClass = 'replicated' | 'local' | 'ignored';

const IGNORED_PREFIXES = ['core/replication/', 'core/node/'];
const LOCAL_PREFIXES = [
  'sys/token/',
  'sys/expire/',
  'sys/wrapping/',
  'local-logical/',
  'local-auth/',
  'core/local-mounts',
  'core/local-auth',
  'core/generate-root/',
  // user lockout: each cluster locks its own logins (vault core/login/lockedUsers/)
  'core/login/lockedUsers/',
];

export function classOf(key: string): KeyClass {
  if (IGNORED_PREFIXES.some((p) => key.startsWith(p))) return 'ignored';
  if (LOCAL_PREFIXES.some((p) => key.startsWith(p))) return 'local';
  return 'replicated';
}

/** Merkle tree id per class; ignored keys are in no tree. */
export const TREE_OF: Record<Exclude<KeyClass, 'ignored'>, number> = { replicated: 0, local: 1 };

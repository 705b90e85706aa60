// Every storage key has a replication class fixed by its prefix
// (ARCHITECTURE.md "Storage and what replicates"):
//  - replicated: shipped to performance and DR secondaries
//  - local:      shipped to DR secondaries only (tokens, leases, local mounts)
//  - ignored:    never shipped (this node's own replication state)
// A key's class decides the write's log record and merkle tree, so changing
// it changes what replicates: every rule is pinned in key-class.test.ts.
export type KeyClass = 'replicated' | 'local' | 'ignored';

// core/cluster/: this cluster's own seal (barrier/local-seal.ts). Never shipped
// (each replication cluster keeps its own unseal keys), but unlike core/node/
// shared by the HA nodes of one cluster.
const IGNORED_PREFIXES = ['core/replication/', 'core/node/', 'core/cluster/'];
/**
 * Under core/replication/ but `local`: the performance set this cluster leads
 * (known secondaries, CA, token signing key: replication/performance-set.ts)
 * and the hashes that revoke its unused activation tokens. DR secondaries
 * mirror them so a promoted one *is* the performance primary (issue 8 item 9);
 * performance secondaries never see them. A cluster holds them only while it
 * leads a set, so a bootstrapping secondary never has one to keep. The rest of
 * core/replication/ is this node's own (role, position, bundles, its CA and
 * listener certificate) and never ships.
 */
const DR_MIRRORED_KEYS = new Set(['core/replication/performance/set']);
const DR_MIRRORED_PREFIXES = ['core/replication/performance/activation/'];
const LOCAL_PREFIXES = [
  'sys/token/',
  'sys/expire/',
  'sys/wrapping/',
  'local-logical/',
  'local-auth/',
  'core/local-mounts',
  'core/local-auth',
  'core/local-audit', // local audit devices (server/audit/table.ts)
  'core/generate-root/',
  // user lockout: each cluster locks its own logins (vault core/login/lockedUsers/)
  'core/login/lockedUsers/',
  // DR drill history: each cluster keeps the drills it ran (sys/drills, issue 12)
  'core/drills/',
];

/**
 * An auth method's per-cluster storage inside a replicated mount: keys under
 * auth/<mount uuid>/local/ (Vault's PathsSpecial.LocalStorage). AppRole keeps
 * the secret-ids of roles with local_secret_ids there: each cluster mints and
 * spends its own, while the roles themselves replicate.
 */
const AUTH_MOUNT_LOCAL = /^auth\/[^/]+\/local\//;

export function classOf(key: string): KeyClass {
  if (DR_MIRRORED_KEYS.has(key) || DR_MIRRORED_PREFIXES.some((p) => key.startsWith(p))) return 'local';
  if (IGNORED_PREFIXES.some((p) => key.startsWith(p))) return 'ignored';
  if (LOCAL_PREFIXES.some((p) => key.startsWith(p)) || AUTH_MOUNT_LOCAL.test(key)) return 'local';
  return 'replicated';
}

/** Merkle tree id per class; ignored keys are in no tree. */
export const TREE_OF: Record<Exclude<KeyClass, 'ignored'>, number> = { replicated: 0, local: 1 };

import { VaultError } from '../../errors';
import type { RoleStore } from './role-store';
import { expired, type SecretIdStore } from './secret-id-store';

// tidy/secret-id (vault approle path_tidy_user_id.go): drop expired
// secret-ids, secret-ids of roles that are gone, and accessor index entries
// that point at nothing. Cluster-local secret-ids are tidied first; the
// replicated ones belong to the primary, so on a performance secondary the
// first replicated delete is refused by storage (read_only) and that part is
// left to the primary, as Vault's secondaries leave it.

export const TIDY_WARNING = "Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs.";

export function tidySecretIds(roles: RoleStore, ids: SecretIdStore, now = Date.now()): number {
  let removed = 0;
  for (const local of [true, false]) {
    try {
      removed += tidyArea(roles, ids, local, now);
    } catch (err) {
      if (err instanceof VaultError && err.code === 'read_only') continue;
      throw err;
    }
  }
  return removed;
}

function tidyArea(roles: RoleStore, ids: SecretIdStore, local: boolean, now: number): number {
  const liveDirs = new Set(
    roles
      .list()
      .map((name) => roles.get(name))
      .filter((r) => r !== null && r.local_secret_ids === local)
      .map((r) => ids.dirOf(r!)),
  );
  const doomed: string[] = [];
  for (const dir of ids.roleDirs(local)) {
    const roleGone = !liveDirs.has(dir);
    for (const key of ids.keysIn(dir)) {
      const entry = ids.entryAt(key);
      if (roleGone || !entry || expired(entry, now)) doomed.push(key);
    }
  }
  const gone = new Set(doomed);
  for (const a of ids.accessors(local)) if (a.target === null || gone.has(a.target) || ids.entryAt(a.target) === null) doomed.push(a.key);
  ids.deleteKeys(doomed);
  return gone.size;
}

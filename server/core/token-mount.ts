import type { Barrier } from '../barrier/barrier';
import type { MountEntry } from './mounts';

// The built-in token/ auth mount is not in the auth table (its routes are
// built in), but Vault lets it be tuned like any mount (sys/auth/token/tune),
// and its TTLs bound every token created under auth/token/. Its tune lives
// here: class `replicated`, like the auth table entry Vault keeps for it.
const TOKEN_MOUNT_TUNE = 'core/token-mount-tune';
export const TOKEN_MOUNT_DESCRIPTION = 'token based credentials';

export type TokenMountConfig = Pick<MountEntry['config'], 'default_lease_ttl' | 'max_lease_ttl' | 'listing_visibility'> & { description?: string };

export function tokenMountConfig(barrier: Barrier): TokenMountConfig {
  return barrier.getJSON<TokenMountConfig>(TOKEN_MOUNT_TUNE) ?? { default_lease_ttl: 0, max_lease_ttl: 0 };
}

export function tuneTokenMount(barrier: Barrier, patch: Partial<TokenMountConfig>): TokenMountConfig {
  const next = { ...tokenMountConfig(barrier), ...patch };
  barrier.putJSON(TOKEN_MOUNT_TUNE, next);
  return next;
}

import { auditKeysView } from '../../audit/mount-keys';
import type { Core } from '../../core/core';
import type { MountEntry, TableKind } from '../../core/mounts';
import { TOKEN_MOUNT_DESCRIPTION, tokenMountConfig, tuneTokenMount } from '../../core/token-mount';
import { limitsOf } from '../../core/token-ttl';
import { lockoutTuneView } from '../../core/user-lockout-config';
import { parseDuration } from '../../auth/duration';
import { badRequest } from '../../errors';
import { str } from './respond';

// GET sys/mounts/:path/tune and sys/auth/:path/tune answer the EFFECTIVE
// values, as Vault's handleTuneReadCommon does from the mount's system view:
// an unset TTL reads as the system's 2764800 (768h), never 0 — a 0 here makes
// consul-template and Vault Agent renew in a tight loop. Built-in mounts
// (token/ and sys/) can be read too; token/ can be tuned (core/token-mount.ts).
const SYSTEM_DESCRIPTION = 'system endpoints used for control, policy and debugging';

function ttls(config?: { default_lease_ttl: number; max_lease_ttl: number }) {
  const l = limitsOf(config);
  return { default_lease_ttl: l.defaultTtl, max_lease_ttl: l.maxTtl };
}

function entryView(kind: TableKind, e: MountEntry): Record<string, unknown> {
  return {
    description: e.description,
    ...ttls(e.config),
    force_no_cache: false,
    ...(kind === 'auth' ? { token_type: 'default-service' } : {}),
    ...(e.config.listing_visibility ? { listing_visibility: e.config.listing_visibility } : {}),
    ...(Object.keys(e.options).length ? { options: e.options } : {}),
    ...lockoutTuneView(e.config.user_lockout_config),
    ...auditKeysView(e.config),
  };
}

export function readTune(core: Core, kind: TableKind, rawPath: string): Record<string, unknown> {
  const path = rawPath.replace(/\/?$/, '/');
  if (kind === 'auth' && path === 'token/') {
    const c = tokenMountConfig(core.barrier);
    return {
      description: c.description ?? TOKEN_MOUNT_DESCRIPTION,
      ...ttls(c),
      force_no_cache: false,
      token_type: 'default-service',
      ...(c.listing_visibility ? { listing_visibility: c.listing_visibility } : {}),
    };
  }
  if (kind === 'secret' && path === 'sys/') return { description: SYSTEM_DESCRIPTION, ...ttls(), force_no_cache: false };
  const e = core.mounts.find(kind, path);
  if (!e) throw badRequest(`cannot fetch sysview for path "${rawPath}"`);
  return entryView(kind, e);
}

/** POST sys/auth/token/tune: true when the path was the built-in token mount (and is now tuned). */
export function tuneBuiltinToken(core: Core, kind: TableKind, rawPath: string, data: Record<string, unknown>): boolean {
  if (kind !== 'auth' || rawPath.replace(/\/?$/, '/') !== 'token/') return false;
  const patch: Parameters<typeof tuneTokenMount>[1] = {};
  if (data.default_lease_ttl !== undefined) patch.default_lease_ttl = parseDuration(data.default_lease_ttl, 'default_lease_ttl');
  if (data.max_lease_ttl !== undefined) patch.max_lease_ttl = parseDuration(data.max_lease_ttl, 'max_lease_ttl');
  if (data.description !== undefined) patch.description = str(data, 'description');
  if (data.listing_visibility !== undefined) patch.listing_visibility = listingVisibility(data);
  tuneTokenMount(core.barrier, patch);
  return true;
}

/** Vault takes "", "unauth" or "hidden". */
export function listingVisibility(data: Record<string, unknown>): string {
  const v = str(data, 'listing_visibility');
  if (!['', 'unauth', 'hidden'].includes(v)) throw badRequest(`invalid listing_visibility ${v}`);
  return v;
}

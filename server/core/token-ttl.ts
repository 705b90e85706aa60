import { badRequest } from '../errors';

// Token lifetimes (sdk/framework/lease.go CalculateTTL, as Vault's token store
// and expiration manager use it). All values are whole seconds; 0 means unset.
export const SYSTEM_DEFAULT_TTL = 768 * 3600; // Vault's default_lease_ttl: 32 days
export const SYSTEM_MAX_TTL = 768 * 3600; // Vault's max_lease_ttl: 32 days

/** The mount's (or system's) default and max lease TTLs, in seconds. */
export interface TtlLimits {
  defaultTtl: number;
  maxTtl: number;
}

/** Limits of a mount tuned with `config` (0 = inherit the system value). */
export function limitsOf(config?: { default_lease_ttl: number; max_lease_ttl: number }): TtlLimits {
  const maxTtl = config?.max_lease_ttl || SYSTEM_MAX_TTL;
  return { maxTtl, defaultTtl: Math.min(config?.default_lease_ttl || SYSTEM_DEFAULT_TTL, maxTtl) };
}

const effectiveMax = (limits: TtlLimits, explicitMaxTtl: number) => (explicitMaxTtl > 0 ? Math.min(limits.maxTtl, explicitMaxTtl) : limits.maxTtl);

/**
 * TTL granted at creation. Root tokens asked for no TTL never expire (unless an
 * explicit max is set); every other token gets the default and is capped by the
 * mount/system max and its explicit max. A period replaces the TTL, capped too.
 */
export function creationTtl(o: { ttl: number; period: number; explicitMaxTtl: number; root: boolean }, limits: TtlLimits): number {
  if (o.period > 0) return Math.min(o.period, effectiveMax(limits, o.explicitMaxTtl));
  if (o.ttl > 0 || !o.root) return Math.min(o.ttl || limits.defaultTtl, effectiveMax(limits, o.explicitMaxTtl));
  return o.explicitMaxTtl > 0 ? o.explicitMaxTtl : 0;
}

/**
 * TTL granted by a renewal at `now` (seconds) of a token issued at `issuedAt`:
 * the increment (or the token's original TTL), never past issue time + the
 * mount/system max or the explicit max. A periodic token gets its period again,
 * bounded only by its explicit max. Past the max, renewal is refused.
 */
export function renewalTtl(
  o: { increment: number; originalTtl: number; period: number; explicitMaxTtl: number; issuedAt: number; now: number },
  limits: TtlLimits,
): number {
  const max = effectiveMax(limits, o.explicitMaxTtl);
  let ttl: number;
  let deadline: number | null;
  if (o.period > 0) {
    ttl = Math.min(o.period, max);
    deadline = o.explicitMaxTtl > 0 ? o.issuedAt + o.explicitMaxTtl : null;
  } else {
    ttl = o.increment || o.originalTtl || limits.defaultTtl;
    deadline = o.issuedAt + max;
  }
  if (deadline === null) return ttl;
  const left = deadline - o.now;
  if (left <= 0) throw badRequest('past the max TTL, cannot renew');
  return Math.min(ttl, left);
}

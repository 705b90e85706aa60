import { formatDuration } from '../auth/duration';
import { badRequest } from '../errors';
import { MAX_TOKEN_TTL } from './tokens';

// Bounds on response-wrapping TTLs: the system max TTL for every request, and
// a policy path rule's min_wrapping_ttl / max_wrapping_ttl (vault/acl.go).

/** A wrapping token is a token: it may not outlive the system max TTL (768h). */
export const MAX_WRAP_TTL = MAX_TOKEN_TTL;

/** Seconds; 0 means unset. */
export interface WrapTtlBounds {
  readonly min: number;
  readonly max: number;
}

export const NO_WRAP_BOUNDS: WrapTtlBounds = { min: 0, max: 0 };

/** The requested X-Vault-Wrap-TTL, checked before anything runs: a clear 400, never a silent clamp. */
export function checkRequestedWrapTtl(ttl: number | undefined): void {
  if (ttl === undefined) return;
  if (Number.isNaN(ttl) || ttl < 0) throw badRequest('requested wrap ttl cannot be negative');
  if (ttl > MAX_WRAP_TTL) {
    const asked = Number.isFinite(ttl) ? ` ${formatDuration(ttl)}` : '';
    throw badRequest(`requested wrap ttl${asked} exceeds the max TTL of ${formatDuration(MAX_WRAP_TTL)}`);
  }
}

/**
 * Two policies' bounds for one pattern. As vault/acl.go does, the lesser of
 * two set values wins for both min and max (the shortest lifetime).
 */
export function mergeWrapBounds(a: WrapTtlBounds, b: WrapTtlBounds): WrapTtlBounds {
  const lesser = (x: number, y: number) => (x === 0 ? y : y === 0 ? x : Math.min(x, y));
  return { min: lesser(a.min, b.min), max: lesser(a.max, b.max) };
}

/** Why the request's wrap TTL breaks the bounds, or null. A bound makes wrapping mandatory. */
export function wrapTtlProblem(bounds: WrapTtlBounds, ttl: number | undefined): string | null {
  const t = ttl ?? 0;
  const wrapped = t > 0;
  if (bounds.max > 0 && (!wrapped || t > bounds.max)) return wrapped ? 'wrap TTL above max_wrapping_ttl' : 'response must be wrapped';
  if (bounds.min > 0 && (!wrapped || t < bounds.min)) return wrapped ? 'wrap TTL below min_wrapping_ttl' : 'response must be wrapped';
  // Merging can leave max < min even though each rule was checked on write.
  if (bounds.min > 0 && bounds.max > 0 && bounds.max < bounds.min) return 'max_wrapping_ttl is less than min_wrapping_ttl';
  return null;
}

export const wrapRequired = (bounds: WrapTtlBounds) => bounds.min > 0 || bounds.max > 0;

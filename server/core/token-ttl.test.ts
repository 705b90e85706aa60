import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VaultError } from '../errors';
import { creationTtl, limitsOf, renewalTtl, SYSTEM_MAX_TTL } from './token-ttl';

const secs = fc.integer({ min: 0, max: 2 * SYSTEM_MAX_TTL });
const limits = fc.record({ default_lease_ttl: secs, max_lease_ttl: secs }).map(limitsOf);

describe('token TTLs', () => {
  it('caps a non-root token at creation by the mount/system max and its explicit max', () => {
    fc.assert(
      fc.property(secs, secs, secs, limits, (ttl, period, explicitMaxTtl, l) => {
        const granted = creationTtl({ ttl, period, explicitMaxTtl, root: false }, l);
        expect(granted).toBeGreaterThan(0);
        expect(granted).toBeLessThanOrEqual(l.maxTtl);
        if (explicitMaxTtl) expect(granted).toBeLessThanOrEqual(explicitMaxTtl);
      }),
    );
  });

  it('never renews past issue time + the max, and refuses once there', () => {
    fc.assert(
      fc.property(secs, secs, secs, secs, fc.integer({ min: 0, max: 3 * SYSTEM_MAX_TTL }), limits, (increment, originalTtl, period, explicitMaxTtl, age, l) => {
        const issuedAt = 1_900_000_000;
        const now = issuedAt + age;
        let granted: number;
        try {
          granted = renewalTtl({ increment, originalTtl, period, explicitMaxTtl, issuedAt, now }, l);
        } catch (err) {
          expect(err).toBeInstanceOf(VaultError);
          expect((err as VaultError).message).toBe('past the max TTL, cannot renew');
          return;
        }
        expect(granted).toBeGreaterThan(0);
        if (explicitMaxTtl) expect(now + granted).toBeLessThanOrEqual(issuedAt + explicitMaxTtl);
        if (!period) expect(now + granted).toBeLessThanOrEqual(issuedAt + l.maxTtl);
        else expect(granted).toBeLessThanOrEqual(Math.min(period, l.maxTtl));
      }),
    );
  });

  it('gives a root token no expiry unless asked, and the system default otherwise (768h)', () => {
    expect(creationTtl({ ttl: 0, period: 0, explicitMaxTtl: 0, root: true }, limitsOf())).toBe(0);
    expect(creationTtl({ ttl: 0, period: 0, explicitMaxTtl: 60, root: true }, limitsOf())).toBe(60);
    expect(creationTtl({ ttl: 0, period: 0, explicitMaxTtl: 0, root: false }, limitsOf())).toBe(768 * 3600);
    expect(creationTtl({ ttl: 9_999_999, period: 0, explicitMaxTtl: 0, root: false }, limitsOf({ default_lease_ttl: 0, max_lease_ttl: 30 }))).toBe(30);
  });
});

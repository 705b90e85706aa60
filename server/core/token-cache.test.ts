import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Barrier } from '../barrier/barrier';
import { SqliteBackend } from '../storage/sqlite';
import { TokenCache } from './token-cache';
import { TokenStore, type TokenEntry } from './tokens';

// The token store's cache of parsed entries (token-cache.ts) against a real
// barrier over SQLite, with no expiration manager attached: what is refused
// here is refused by the lookup itself, not by a timely revocation.
function newStore() {
  const physical = new SqliteBackend({ path: ':memory:' });
  const barrier = new Barrier(physical);
  barrier.unseal(barrier.initialize({ secret_shares: 1, secret_threshold: 1 }));
  return { physical, barrier, tokens: new TokenStore(barrier) };
}

afterEach(() => vi.restoreAllMocks());

describe('token cache', () => {
  it('a token whose TTL expired is refused though cached', () => {
    const { tokens } = newStore();
    const t = tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 60 });
    expect(tokens.lookup(t.id)?.id).toBe(t.id); // cached now
    expect(tokens.lookup(t.id)?.id).toBe(t.id);
    vi.spyOn(Date, 'now').mockReturnValue(t.expireTime);
    expect(tokens.lookup(t.id)).toBeNull();
  });

  it('a revoked token is refused at once despite the token cache', () => {
    const { tokens } = newStore();
    const parent = tokens.create({ policies: ['default'], path: 'auth/token/create' });
    const child = tokens.create({ policies: ['default'], path: 'auth/token/create', parent });
    expect(tokens.lookup(parent.id)).not.toBeNull();
    expect(tokens.lookup(child.id)).not.toBeNull();
    tokens.revoke(tokens.lookup(parent.id)!);
    expect(tokens.lookup(parent.id)).toBeNull();
    expect(tokens.lookup(child.id)).toBeNull();
  });

  it('a token entry rewritten below the barrier (a replicated apply) is read again, not served stale', () => {
    const { physical, barrier, tokens } = newStore();
    const t = tokens.create({ policies: ['default'], path: 'auth/token/create' });
    expect(tokens.lookup(t.id)?.policies).toEqual(['default']);
    const key = physical.keysUnder('sys/token/id/')[0];
    const changed: TokenEntry = { ...t, policies: ['default', 'ops'] };
    physical.applyShipped([{ op: 'put', key, value: barrier.encrypt(key, Buffer.from(JSON.stringify(changed))) }]);
    expect(tokens.lookup(t.id)?.policies).toEqual(['default', 'ops']);
    physical.applyShipped([{ op: 'delete', key }]);
    expect(tokens.lookup(t.id)).toBeNull();
  });

  it('a token with a use limit is never served from the cache: its last use is refused', () => {
    const { tokens } = newStore();
    const t = tokens.create({ policies: ['default'], path: 'auth/token/create', numUses: 2 });
    expect(tokens.use(tokens.lookup(t.id)!).exhausted).toBe(false);
    expect(tokens.use(tokens.lookup(t.id)!).exhausted).toBe(true);
    expect(tokens.lookup(t.id)).toBeNull();
  });

  it('answers nothing while sealed (the barrier refuses, as without a cache)', () => {
    const { barrier, tokens } = newStore();
    const t = tokens.create({ policies: ['default'], path: 'auth/token/create' });
    expect(tokens.lookup(t.id)).not.toBeNull();
    barrier.seal();
    expect(() => tokens.lookup(t.id)).toThrow(/sealed/);
  });

  it('property: never holds more than its bound, and never serves an entry whose key changed after it was cached', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), n: fc.nat(30) }),
      fc.record({ kind: fc.constant('invalidate' as const), n: fc.nat(30) }),
      fc.record({ kind: fc.constant('clear' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.integer({ min: 1, max: 10 }), (ops, bound) => {
        const cache = new TokenCache(bound);
        const live = new Set<number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            cache.set(`id${o.n}`, `key${o.n}`, { numUses: 0, id: `id${o.n}` } as TokenEntry);
            live.add(o.n);
          } else if (o.kind === 'invalidate') {
            cache.invalidate([`key${o.n}`]);
            live.delete(o.n);
          } else {
            cache.clear();
            live.clear();
          }
          expect(cache.size).toBeLessThanOrEqual(bound);
          for (let n = 0; n <= 30; n++) if (!live.has(n)) expect(cache.get(`id${n}`)).toBeUndefined();
        }
      }),
    );
  });
});

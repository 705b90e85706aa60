import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { testStorage } from '../engines/kv/test-storage';
import { createLogger } from '../log';
import { ExpirationManager, MAX_TIMER_DELAY_MS } from './expiration';
import { TokenStore, type TokenEntry } from './tokens';

// The expiration manager against the real token store on real SQLite; only
// the clock is fake (vitest timers move Date.now and setTimeout together).
const logger = createLogger({ level: 'silent' });

function setup(active = () => true) {
  const { barrier } = testStorage();
  const tokens = new TokenStore(barrier);
  const manager = new ExpirationManager(tokens, { logger, active });
  tokens.expiry = manager;
  manager.start();
  const stored = () => barrier.list('sys/token/id/').length;
  return { barrier, tokens, manager, stored };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ExpirationManager', () => {
  it('revokes a token and its whole subtree when the TTL ends, without anyone presenting it', () => {
    const { tokens, stored } = setup();
    const parent = tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 60 });
    const child = tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 600, parent });
    const grandchild = tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 600, parent: child });
    tokens.renew(child, 3600); // outlives its parent on paper, not in fact
    expect(stored()).toBe(3);
    vi.advanceTimersByTime(59_000);
    expect(stored()).toBe(3);
    vi.advanceTimersByTime(1_000);
    expect(stored()).toBe(0);
    for (const t of [parent, child, grandchild]) expect(tokens.lookup(t.id, { tainted: true })).toBeNull();
  });

  it('kills a batch child with its service parent', () => {
    const { tokens } = setup();
    const parent = tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 30 });
    const batch = tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 20, parent, type: 'batch' });
    expect(tokens.lookup(batch.id)).not.toBeNull();
    tokens.revoke(parent);
    expect(tokens.lookup(batch.id)).toBeNull();
  });

  it('waits past the longest timer setTimeout allows (768h) and still revokes on time', () => {
    const { tokens, stored } = setup();
    const ttl = 768 * 3600;
    expect(ttl * 1000).toBeGreaterThan(MAX_TIMER_DELAY_MS);
    tokens.create({ policies: ['default'], path: 'auth/token/create', ttl });
    vi.advanceTimersByTime(ttl * 1000 - 1_000);
    expect(stored()).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(stored()).toBe(0);
  });

  it('loads expiries at start and revokes tokens that ran out while sealed', () => {
    const { tokens, manager, stored } = setup();
    tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 10 });
    tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 100 });
    manager.stop();
    vi.advanceTimersByTime(50_000);
    expect(stored()).toBe(2); // sealed: nothing runs
    manager.start();
    vi.advanceTimersByTime(0);
    expect(stored()).toBe(1);
    vi.advanceTimersByTime(50_000);
    expect(stored()).toBe(0);
  });

  it('does not revoke while inactive (a DR secondary) and catches up once active', () => {
    let active = false;
    const { tokens, manager, stored } = setup(() => active);
    tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: 10 });
    vi.advanceTimersByTime(20_000);
    expect(stored()).toBe(1);
    active = true;
    manager.refresh();
    vi.advanceTimersByTime(0);
    expect(stored()).toBe(0);
  });

  it('keeps storage equal to the live tokens for any sequence of creates, renewals, revocations and waits', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('create' as const), parent: fc.option(fc.nat(20), { nil: null }), ttl: fc.integer({ min: 1, max: 60 }) }),
      fc.record({ kind: fc.constant('renew' as const), which: fc.nat(20), increment: fc.integer({ min: 1, max: 200 }) }),
      fc.record({ kind: fc.constant('revoke' as const), which: fc.nat(20) }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 30_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
        const { tokens, stored, manager } = setup();
        const made: { entry: TokenEntry; parent: number | null; dead: boolean }[] = [];
        const alive = (i: number): boolean => !made[i].dead && (made[i].parent === null || alive(made[i].parent!));
        const kill = (i: number) => {
          made[i].dead = true;
          made.forEach((t, j) => t.parent === i && !t.dead && kill(j));
        };
        for (const o of ops) {
          if (o.kind === 'create') {
            const p = o.parent !== null && o.parent < made.length && alive(o.parent) ? o.parent : null;
            const entry = tokens.create({ policies: ['default'], path: 'auth/token/create', ttl: o.ttl, parent: p === null ? null : made[p].entry });
            made.push({ entry, parent: p, dead: false });
          } else if (o.kind === 'renew' && o.which < made.length && alive(o.which)) {
            made[o.which].entry = tokens.renew(made[o.which].entry, o.increment).entry;
          } else if (o.kind === 'revoke' && o.which < made.length && alive(o.which)) {
            tokens.revoke(made[o.which].entry);
            kill(o.which);
          } else if (o.kind === 'wait') {
            vi.advanceTimersByTime(o.ms);
            made.forEach((t, i) => !t.dead && t.entry.expireTime <= Date.now() && kill(i));
          }
          made.forEach((t, i) => (alive(i) ? undefined : (t.dead = true)));
          const live = made.filter((t) => !t.dead);
          expect(stored()).toBe(live.length);
          for (const t of live) expect(tokens.lookup(t.entry.id)?.id).toBe(t.entry.id);
          expect(manager.size).toBe(live.length);
        }
        manager.stop();
      }),
      { numRuns: 300 },
    );
  });
});

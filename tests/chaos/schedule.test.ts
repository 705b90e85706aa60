import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_KINDS, HA_KINDS, makeSchedule, PAST_LEASE_MS, prng, type Role } from './schedule';

// The seed is the replay handle: the same seed must give the same plan.
const SEED_186 = [['stall', 7114], ['cut', 0], ['failover', 2732], ['kill', 832], ['freeze', 6955]];
describe('chaos schedule', () => {
  it('is a function of the seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 30 }), (seed, faults) => {
        const opts = { faults, kinds: ALL_KINDS, roles: ['primary', 'perf', 'dr'] as Role[] };
        expect(makeSchedule(seed, opts)).toEqual(makeSchedule(seed, opts));
      }),
    );
    expect(makeSchedule(1, { faults: 5, kinds: ALL_KINDS, roles: ['dr'] })).not.toEqual(makeSchedule(2, { faults: 5, kinds: ALL_KINDS, roles: ['dr'] }));
  });

  it('covers every kind first when asked, and only the kinds and roles given', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const s = makeSchedule(seed, { faults: 12, kinds: ['kill', 'cut', 'freeze'], roles: ['perf'], coverKinds: true });
        expect(new Set(s.slice(0, 3).map((f) => f.kind))).toEqual(new Set(['kill', 'cut', 'freeze']));
        expect(s.every((f) => ['kill', 'cut', 'freeze'].includes(f.kind) && f.role === 'perf')).toBe(true);
        expect(s.every((f) => f.kind !== 'freeze' || (f.ms >= 500 && f.ms <= 9_000))).toBe(true);
      }),
    );
  });

  it('HA kinds: any seed covers each once first, freezes outlast the lease, and adding them leaves the replication plans as they were', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 4, max: 40 }), (seed, faults) => {
        const s = makeSchedule(seed, { faults, kinds: HA_KINDS, roles: ['active'], coverKinds: true });
        expect(s).toHaveLength(faults);
        expect(new Set(s.slice(0, HA_KINDS.length).map((f) => f.kind))).toEqual(new Set(HA_KINDS));
        for (const f of s) {
          expect(HA_KINDS).toContain(f.kind);
          if (f.kind === 'freeze-active') expect(f.ms).toBeGreaterThanOrEqual(PAST_LEASE_MS);
          if (f.kind === 'kill-active' || f.kind === 'partition-active') expect(f.ms).toBeGreaterThan(0);
          expect(f.gapMs).toBeGreaterThanOrEqual(300);
        }
        expect(makeSchedule(seed, { faults, kinds: HA_KINDS, roles: ['active'] })).toEqual(makeSchedule(seed, { faults, kinds: HA_KINDS, roles: ['active'] }));
      }),
    );
    // The CI-sized replication run's plan (chaos-short.test.ts, seed 186) is pinned: new kinds draw nothing for old ones.
    expect(makeSchedule(186, { faults: 5, kinds: ['kill', 'cut', 'freeze', 'stall', 'failover'], roles: ['perf', 'dr'], coverKinds: true }).map((f) => [f.kind, f.ms])).toEqual(SEED_186);
  });

  it('draws numbers in [0, 1)', () => {
    const r = prng(7);
    for (let i = 0; i < 1_000; i++) {
      const x = r();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});

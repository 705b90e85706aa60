import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_KINDS, makeSchedule, prng, type Role } from './schedule';

// The seed is the replay handle: the same seed must give the same plan.
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

  it('draws numbers in [0, 1)', () => {
    const r = prng(7);
    for (let i = 0; i < 1_000; i++) {
      const x = r();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});

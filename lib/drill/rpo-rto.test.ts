import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeRpo, computeRto } from './rpo-rto';
import type { CanaryAck } from './types';

const T0 = 1_700_000_000_000;
const ack = fc.record({ seq: fc.nat(500), at: fc.integer({ min: T0, max: T0 + 60_000 }), by: fc.constantFrom<'old' | 'new'>('old', 'new') });
const log = fc.uniqueArray(ack, { selector: (a) => a.seq, maxLength: 120 });

describe('RPO from the canary log', () => {
  it('counts exactly the canaries acknowledged by the old primary that the new one lacks (the slow way agrees)', () => {
    fc.assert(
      fc.property(log, fc.array(fc.nat(500)), fc.integer({ min: T0, max: T0 + 60_000 }), (acks: CanaryAck[], present, disaster) => {
        const set = new Set(present);
        const r = computeRpo(acks, set, disaster, 1000);
        const slow = acks.filter((a) => a.by === 'old' && !set.has(a.seq)).map((a) => a.seq);
        expect(r.lost).toBe(slow.length);
        expect(r.lostSeqs).toEqual([...slow].sort((a, b) => a - b));
        expect(r.windowMs).toBeGreaterThanOrEqual(0);
        if (slow.length === 0) expect(r).toMatchObject({ windowMs: 0, met: true, firstLostAt: null });
      }),
    );
  });

  it('nothing is lost when every old acknowledgement is present on the new primary, whatever the target', () => {
    fc.assert(
      fc.property(log, fc.nat(10_000), (acks: CanaryAck[], target) => {
        const r = computeRpo(acks, new Set(acks.map((a) => a.seq)), T0, target);
        expect(r.lost).toBe(0);
        expect(r.met).toBe(true);
      }),
    );
  });

  it('a zero RPO target is missed by any loss, and the window is disaster minus the oldest lost acknowledgement', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 5000 }), (n, age) => {
        const disaster = T0 + 10_000;
        const acks: CanaryAck[] = Array.from({ length: n }, (_, i) => ({ seq: i, at: disaster - age + i, by: 'old' }));
        const r = computeRpo(acks, new Set(), disaster, 0);
        expect(r.met).toBe(false);
        expect(r.windowMs).toBe(age);
        expect(computeRpo(acks, new Set(), disaster, age).met).toBe(age > 0);
      }),
    );
  });
});

describe('RTO from the canary log', () => {
  it('is the first acknowledgement by the new primary at or after the disaster, and meets a target exactly when it is no larger', () => {
    fc.assert(
      fc.property(log, fc.integer({ min: T0, max: T0 + 60_000 }), fc.nat(60_000), (acks: CanaryAck[], disaster, target) => {
        const r = computeRto(acks, disaster, target);
        const after = acks.filter((a) => a.by === 'new' && a.at >= disaster).map((a) => a.at - disaster);
        expect(r.ms).toBe(after.length ? Math.min(...after) : null);
        expect(r.met).toBe(r.ms !== null && r.ms <= target);
      }),
    );
  });

  it('acknowledgements by the old primary never end the outage', () => {
    const acks: CanaryAck[] = [{ seq: 1, at: T0 + 5, by: 'old' }];
    expect(computeRto(acks, T0, 10_000)).toMatchObject({ ms: null, met: false });
  });
});

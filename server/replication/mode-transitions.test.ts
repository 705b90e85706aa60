import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VaultError } from '../errors';
import { allowed, FIRST_EPOCH, transition, TRANSITIONS, type ControlEvent } from './mode-transitions';
import { emptyState, type ClusterMode, type ModeState } from './state';

const event = fc.oneof(
  fc.record({ type: fc.constant('enable-primary' as const), clusterId: fc.uuid(), primaryClusterAddr: fc.constantFrom('', 'https://p:8201') }),
  fc.record({
    type: fc.constant('enable-secondary' as const),
    clusterId: fc.uuid(),
    secondaryId: fc.constantFrom('east', 'west'),
    primaryApiAddr: fc.constant('http://p:8200'),
    primaryClusterAddr: fc.constant('https://p:8201'),
  }),
  fc.constant({ type: 'bootstrapped' as const }),
  fc.record({ type: fc.constant('promote' as const), primaryClusterAddr: fc.constant(''), at: fc.constant('2026-01-01T00:00:00Z') }),
  fc.constant({ type: 'demote' as const }),
  fc.constant({ type: 'disable-primary' as const }),
  fc.constant({ type: 'disable-secondary' as const }),
  fc.record({ type: fc.constant('update-primary' as const), secondaryId: fc.constant('again'), primaryApiAddr: fc.constant('http://q:8200'), primaryClusterAddr: fc.constant('https://q:8201') }),
  fc.constant({ type: 'detach' as const }),
  fc.record({ type: fc.constant('epoch-seen' as const), epoch: fc.integer({ min: 0, max: 50 }) }),
  fc.record({
    type: fc.constant('take-over-set' as const),
    clusterId: fc.uuid(),
    epoch: fc.integer({ min: 0, max: 50 }),
    secondaries: fc.constant([]),
    primaryClusterAddr: fc.constant(''),
    at: fc.constant('2026-01-01T00:00:00Z'),
    formerPrimaryApiAddr: fc.constant('http://p:8200'),
    formerPrimaryClusterAddr: fc.constant('https://p:8201'),
  }),
) as fc.Arbitrary<ControlEvent>;

/** Apply events in order, skipping (and checking) the refused ones. */
function run(events: ControlEvent[]): { states: ModeState[]; refused: number } {
  let s = emptyState();
  const states = [s];
  let refused = 0;
  for (const e of events) {
    const before = structuredClone(s);
    try {
      s = transition('DR', s, e);
    } catch (err) {
      expect(err).toBeInstanceOf(VaultError);
      expect(allowed(before, e.type)).toBe(false);
      expect(s).toEqual(before); // a refusal changes nothing
      refused++;
      continue;
    }
    expect(allowed(before, e.type)).toBe(true);
    states.push(s);
  }
  return { states, refused };
}

describe('mode transitions', () => {
  it('a mode only ever moves along the table', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        let s = emptyState();
        for (const e of events) {
          if (!allowed(s, e.type)) continue;
          const next = transition('DR', s, e);
          const to = TRANSITIONS[e.type].to;
          expect(next.mode).toBe(to === 'same' ? s.mode : to);
          s = next;
        }
      }),
    );
  });

  it('epochs never go back, except when a set is left (disable) or a new one is made (enable)', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        let s = emptyState();
        for (const e of events) {
          if (!allowed(s, e.type)) continue;
          const next = transition('DR', s, e);
          if (e.type === 'disable-primary' || e.type === 'disable-secondary') expect(next).toEqual(emptyState());
          else if (e.type === 'enable-primary') expect(next.epoch).toBe(FIRST_EPOCH);
          else if (e.type === 'enable-secondary') expect(next.epoch).toBe(0);
          else if (e.type === 'take-over-set') expect(next.epoch).toBe(Math.max(FIRST_EPOCH, e.epoch) + 1);
          else expect(next.epoch).toBeGreaterThanOrEqual(s.epoch);
          s = next;
        }
      }),
    );
  });

  it('a promotion leads past every epoch the set has seen, and remembers whom it replaced', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        let s = emptyState();
        let seen = 0;
        for (const e of events) {
          if (!allowed(s, e.type)) continue;
          const next = transition('DR', s, e);
          if (e.type === 'disable-primary' || e.type === 'disable-secondary' || e.type === 'enable-secondary') seen = 0;
          if (e.type === 'promote') {
            expect(next.epoch).toBeGreaterThan(Math.max(seen, FIRST_EPOCH));
            expect(next.formerPrimaryApiAddr).toBe(s.primaryApiAddr);
            expect(next.formerPrimaryClusterAddr).toBe(s.primaryClusterAddrInUse);
            expect(next.secondaries).toEqual([]);
          }
          seen = Math.max(seen, next.epoch);
          s = next;
        }
      }),
    );
  });

  it('the replication set is kept by everything but enable, disable and taking a set over', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        run(events); // refusals change nothing
        let s = emptyState();
        for (const e of events) {
          if (!allowed(s, e.type)) continue;
          const next = transition('DR', s, e);
          if (s.mode !== 'disabled' && next.mode !== 'disabled' && e.type !== 'take-over-set') expect(next.clusterId).toBe(s.clusterId);
          s = next;
        }
      }),
    );
  });

  it('answers refusals in the API words', () => {
    const primary = transition('DR', emptyState(), { type: 'enable-primary', clusterId: 'c', primaryClusterAddr: '' });
    expect(() => transition('DR', primary, { type: 'enable-primary', clusterId: 'd', primaryClusterAddr: '' })).toThrow('this cluster is already a DR primary');
    expect(() => transition('DR', primary, { type: 'promote', primaryClusterAddr: '', at: '' })).toThrow('this cluster is not a DR secondary');
    expect(() => transition('performance', emptyState(), { type: 'demote' })).toThrow('this cluster is not a performance primary');
    const boot = transition('DR', emptyState(), { type: 'enable-secondary', clusterId: 'c', secondaryId: 'x', primaryApiAddr: '', primaryClusterAddr: '' });
    expect(boot.mode).toBe<ClusterMode>('bootstrapping');
    expect(() => transition('DR', boot, { type: 'enable-primary', clusterId: 'd', primaryClusterAddr: '' })).toThrow(
      'this cluster is a DR bootstrapping: promote it instead of enabling it as a primary',
    );
    expect(() => transition('DR', boot, { type: 'promote', primaryClusterAddr: '', at: '' })).toThrow('not a DR secondary');
    expect(transition('DR', boot, { type: 'bootstrapped' }).mode).toBe('secondary');
  });

  it("a DR promotion takes over its former primary's performance set: same set and secondaries, one epoch past it, never while bootstrapping", () => {
    const london = { id: 'london', serial: '4a', revoked: false, createdAt: 't0', bootstrappedAt: 't1' };
    const e: ControlEvent = {
      type: 'take-over-set',
      clusterId: 'set-1',
      epoch: 3,
      secondaries: [london],
      primaryClusterAddr: '',
      at: 'now',
      formerPrimaryApiAddr: 'http://dallas:8200',
      formerPrimaryClusterAddr: 'https://dallas:8201',
    };
    const s = transition('performance', emptyState(), e);
    expect(s).toMatchObject({ mode: 'primary', clusterId: 'set-1', epoch: 4, secondaries: [london], promotedAt: 'now', formerPrimaryApiAddr: 'http://dallas:8200' });
    const boot = transition('performance', emptyState(), { type: 'enable-secondary', clusterId: 'c', secondaryId: 'x', primaryApiAddr: '', primaryClusterAddr: '' });
    expect(() => transition('performance', boot, e)).toThrow("this cluster is already a performance bootstrapping, so it cannot take over its former primary's performance replication set");
    // A stale role in the set (an old primary demoted and re-joined, promoted again) gives way to the set as it is now.
    expect(transition('performance', { ...s, epoch: 2 }, { ...e, epoch: 5 })).toMatchObject({ mode: 'primary', epoch: 6 });
  });
});

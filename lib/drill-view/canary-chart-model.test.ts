import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanarySecond } from '@/lib/drill/types';
import { canaryChartModel } from './canary-chart-model';

const T0 = Date.parse('2026-12-02T07:00:00.000Z');

function sec(t: number, acked: number, failed = 0, lagWals: number | null = 0): CanarySecond {
  return { t, at: new Date(T0 + t * 1000).toISOString(), acked, failed, ackedByOld: acked, ackedByNew: 0, lagWals };
}

describe('canaryChartModel', () => {
  it('shows the outage: seconds with no acknowledged canary, joined into spans', () => {
    const m = canaryChartModel([sec(0, 20), sec(1, 20), sec(2, 0, 5), sec(3, 0, 4), sec(4, 18), sec(5, 0)]);
    expect(m.outages).toEqual([
      { from: 2, to: 4 },
      { from: 5, to: 6 },
    ]);
    expect(m.span).toBe(6);
    expect(m.maxRate).toBe(20);
  });

  it('places the disaster and the recovery on the time axis', () => {
    const m = canaryChartModel([sec(0, 20), sec(1, 20), sec(2, 0)], {
      disasterAt: new Date(T0 + 1500).toISOString(),
      firstNewAckAt: new Date(T0 + 4250).toISOString(),
    });
    expect(m.disasterT).toBeCloseTo(1.5);
    expect(m.recoveredT).toBeCloseTo(4.25);
  });

  it('never divides by zero: an empty series still has a span and scales of at least 1', () => {
    const m = canaryChartModel([]);
    expect(m).toMatchObject({ span: 1, maxRate: 1, maxLag: 1, outages: [], disasterT: null, recoveredT: null });
  });

  it('outage spans cover exactly the silent seconds, in order, without overlap', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(3), { maxLength: 60 }), (acks) => {
        const m = canaryChartModel(acks.map((a, t) => sec(t, a)));
        const covered = new Set<number>();
        let end = -1;
        for (const o of m.outages) {
          expect(o.from).toBeGreaterThan(end);
          for (let t = o.from; t < o.to; t++) covered.add(t);
          end = o.to;
        }
        acks.forEach((a, t) => expect(covered.has(t)).toBe(a === 0));
      }),
    );
  });
});

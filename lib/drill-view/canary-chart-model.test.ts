import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanarySecond } from '@/lib/drill/types';
import { MAX_BARS, MIN_OUTAGE_S, canaryChartModel } from './canary-chart-model';

const T0 = Date.parse('2026-12-02T07:00:00.000Z');

function sec(t: number, acked: number, failed = 0, lagWals: number | null = 0): CanarySecond {
  return { t, at: new Date(T0 + t * 1000).toISOString(), acked, failed, ackedByOld: acked, ackedByNew: 0, lagWals };
}

describe('canaryChartModel', () => {
  it('shows the outage: seconds in a row with no acknowledged canary, joined into spans; a lone slow second is no outage', () => {
    const m = canaryChartModel([sec(0, 20), sec(1, 20), sec(2, 0, 5), sec(3, 0, 4), sec(4, 18), sec(5, 0)]);
    expect(m.outages).toEqual([{ from: 2, to: 4 }]);
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

  it('outage spans cover exactly the runs of silent seconds at least MIN_OUTAGE_S long, in order, without overlap', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(3), { maxLength: 60 }), (acks) => {
        const m = canaryChartModel(acks.map((a, t) => sec(t, a)));
        const covered = new Set<number>();
        let end = -1;
        for (const o of m.outages) {
          expect(o.from).toBeGreaterThan(end);
          expect(o.to - o.from).toBeGreaterThanOrEqual(MIN_OUTAGE_S);
          for (let t = o.from; t < o.to; t++) covered.add(t);
          end = o.to;
        }
        const silentRun = (t: number) => acks[t] === 0 && ((acks[t - 1] === 0) || (acks[t + 1] === 0));
        acks.forEach((_a, t) => expect(covered.has(t)).toBe(silentRun(t)));
      }),
    );
  });

  it('bins a long drill into at most MAX_BARS bars without losing a canary', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(30), { minLength: 1, maxLength: 900 }), (acks) => {
        const m = canaryChartModel(acks.map((a, t) => sec(t, a)));
        expect(m.bars.length).toBeLessThanOrEqual(MAX_BARS);
        const total = m.bars.reduce((n, b) => n + b.ackedByOld * b.width, 0);
        expect(total).toBeCloseTo(acks.reduce((n, a) => n + a, 0), 6);
      }),
    );
  });
});

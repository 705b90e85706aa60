import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMIT_TIMES_KEPT, CommitTimes, preciseNowMs } from './commit-clock';

describe('CommitTimes', () => {
  it('answers the commit that covered an index, and the fallback for anything it does not hold', () => {
    const t = new CommitTimes();
    t.note(1, 3, 100);
    t.note(4, 4, 200);
    t.note(7, 9, 300); // 5..6 committed before this stream subscribed, say
    expect([1, 2, 3, 4, 7, 9].map((i) => t.of(i, -1))).toEqual([100, 100, 100, 200, 300, 300]);
    expect([0, 5, 6, 10].map((i) => t.of(i, -1))).toEqual([-1, -1, -1, -1]);
    t.forgetThrough(4);
    expect([3, 4, 8].map((i) => t.of(i, -1))).toEqual([-1, -1, 300]);
  });

  it('property: matches a linear scan over every commit it keeps', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 60 }), fc.integer({ min: 0, max: 400 }), (sizes, probe) => {
        const t = new CommitTimes();
        const marks: { first: number; last: number; at: number }[] = [];
        let next = 1;
        sizes.forEach((n, k) => {
          marks.push({ first: next, last: next + n - 1, at: k });
          t.note(next, next + n - 1, k);
          next += n;
        });
        const want = marks.find((m) => m.first <= probe && probe <= m.last)?.at ?? -1;
        expect(t.of(probe, -1)).toBe(want);
      }),
    );
  });

  it('keeps at most COMMIT_TIMES_KEPT commits', () => {
    const t = new CommitTimes();
    for (let i = 1; i <= COMMIT_TIMES_KEPT + 10; i++) t.note(i, i, i);
    expect(t.of(10, -1)).toBe(-1);
    expect(t.of(11, -1)).toBe(11);
  });

  it('has sub-millisecond precision on the wall clock', () => {
    expect(Math.abs(preciseNowMs() - Date.now())).toBeLessThan(1_000);
    const seen = new Set(Array.from({ length: 50 }, () => preciseNowMs() % 1));
    expect(seen.size).toBeGreaterThan(1);
  });
});

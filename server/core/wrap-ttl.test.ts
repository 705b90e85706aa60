import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRequestedWrapTtl, MAX_WRAP_TTL, mergeWrapBounds, wrapTtlProblem } from './wrap-ttl';

describe('checkRequestedWrapTtl', () => {
  it('accepts up to the 768h system max and refuses above it with a 400 naming both', () => {
    expect(MAX_WRAP_TTL).toBe(768 * 3600);
    for (const ttl of [undefined, 0, 1, MAX_WRAP_TTL]) expect(() => checkRequestedWrapTtl(ttl)).not.toThrow();
    const over = (ttl: number) => {
      try {
        checkRequestedWrapTtl(ttl);
      } catch (err) {
        return err as { status: number; message: string };
      }
      throw new Error('expected a refusal');
    };
    expect(over(999_999_999 * 3600)).toMatchObject({ status: 400, message: 'requested wrap ttl 999999999h0m0s exceeds the max TTL of 768h0m0s' });
    expect(over(Infinity)).toMatchObject({ status: 400, message: 'requested wrap ttl exceeds the max TTL of 768h0m0s' });
    expect(over(-1)).toMatchObject({ status: 400, message: 'requested wrap ttl cannot be negative' });
    expect(over(NaN).status).toBe(400);
  });
});

describe('wrap bounds', () => {
  it('a bound makes wrapping mandatory, and the TTL must sit inside it', () => {
    expect(wrapTtlProblem({ min: 0, max: 0 }, undefined)).toBeNull();
    expect(wrapTtlProblem({ min: 60, max: 0 }, undefined)).toBe('response must be wrapped');
    expect(wrapTtlProblem({ min: 0, max: 60 }, undefined)).toBe('response must be wrapped');
    expect(wrapTtlProblem({ min: 60, max: 0 }, 59)).not.toBeNull();
    expect(wrapTtlProblem({ min: 0, max: 60 }, 61)).not.toBeNull();
    expect(wrapTtlProblem({ min: 60, max: 120 }, 90)).toBeNull();
  });

  it('merging keeps the lesser set value of each bound, in any order', () => {
    const bound = fc.record({ min: fc.constantFrom(0, 10, 20), max: fc.constantFrom(0, 15, 30) });
    fc.assert(
      fc.property(bound, bound, (a, b) => {
        const m = mergeWrapBounds(a, b);
        expect(m).toEqual(mergeWrapBounds(b, a));
        const set = (xs: number[]) => xs.filter((x) => x > 0);
        expect(m.min).toBe(set([a.min, b.min]).length ? Math.min(...set([a.min, b.min])) : 0);
        expect(m.max).toBe(set([a.max, b.max]).length ? Math.min(...set([a.max, b.max])) : 0);
      }),
    );
  });
});

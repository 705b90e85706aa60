import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunked } from './shipped-chunks';

describe('chunked', () => {
  it('keeps every item in order, each run within the limits unless one item alone exceeds the bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 50 })), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 60 }), (sizes, maxItems, maxBytes) => {
        const runs = chunked(sizes, (s) => s, maxItems, maxBytes);
        expect(runs.flat()).toEqual(sizes);
        for (const run of runs) {
          expect(run.length).toBeGreaterThan(0);
          expect(run.length).toBeLessThanOrEqual(maxItems);
          if (run.length > 1) expect(run.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(maxBytes);
        }
      }),
    );
  });
});

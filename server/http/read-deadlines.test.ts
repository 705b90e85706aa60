import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReadDeadlines } from './read-deadlines';

// ReadDeadlines keeps one timer per connection and moves it only when a
// deadline comes due sooner. The model: a deadline runs from the first byte of
// a request (headerMs to the end of the head, requestMs to the end of the
// request); the connection expires exactly when one passes while running.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

type Op = { kind: 'start' } | { kind: 'head' } | { kind: 'done' } | { kind: 'wait'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ kind: 'start' }),
  fc.constant<Op>({ kind: 'head' }),
  fc.constant<Op>({ kind: 'done' }),
  fc.integer({ min: 1, max: 400 }).map((ms): Op => ({ kind: 'wait', ms })),
);

describe('ReadDeadlines', () => {
  it('expires at the first deadline that passes while it runs, never otherwise, whatever the order of requests and waits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 600 }), fc.array(op, { maxLength: 40 }), (headerMs, requestMs, ops) => {
        vi.clearAllTimers();
        const start = performance.now();
        const expired: { which: string; at: number }[] = [];
        const d = new ReadDeadlines({ headerMs, requestMs }, (which) => expired.push({ which, at: performance.now() - start }));
        let now = 0;
        let headerAt = 0; // model, ms since start; 0 = not running
        let requestAt = 0;
        let modelExpiry: { which: string; at: number } | null = null;
        for (const o of ops) {
          if (modelExpiry) break;
          if (o.kind === 'start' && !headerAt && !requestAt) {
            d.requestStarted();
            if (headerMs) headerAt = now + headerMs;
            if (requestMs) requestAt = now + requestMs;
          } else if (o.kind === 'head') {
            d.headComplete();
            headerAt = 0;
          } else if (o.kind === 'done') {
            d.requestComplete();
            headerAt = requestAt = 0;
          } else if (o.kind === 'wait') {
            const due = [headerAt, requestAt].filter((x) => x > 0 && x <= now + o.ms);
            if (due.length) modelExpiry = { which: headerAt && headerAt === Math.min(...due) ? 'header' : 'request', at: Math.min(...due) };
            vi.advanceTimersByTime(o.ms);
            now += o.ms;
          }
        }
        expect(expired.length).toBe(modelExpiry ? 1 : 0);
        if (modelExpiry) {
          expect(expired[0].which).toBe(modelExpiry.which);
          expect(expired[0].at).toBeGreaterThanOrEqual(modelExpiry.at);
          expect(expired[0].at).toBeLessThanOrEqual(modelExpiry.at + 1);
        }
        d.stop();
      }),
      { numRuns: 500 },
    );
  });

  it('a later request whose header deadline falls before the pending timer still expires on time', () => {
    const expired: string[] = [];
    const d = new ReadDeadlines({ headerMs: 100, requestMs: 1_000 }, (w) => expired.push(w));
    d.requestStarted(); // header due at 100, request at 1000
    d.headComplete();
    vi.advanceTimersByTime(150); // the timer re-arms for the request deadline (1000)
    d.requestComplete();
    d.requestStarted(); // header due at 250: sooner than the armed timer
    vi.advanceTimersByTime(99);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(2);
    expect(expired).toEqual(['header']);
  });

  it('stop() ends all deadlines for good', () => {
    const expired: string[] = [];
    const d = new ReadDeadlines({ headerMs: 10, requestMs: 20 }, (w) => expired.push(w));
    d.requestStarted();
    d.stop();
    d.requestStarted();
    vi.advanceTimersByTime(1_000);
    expect(expired).toEqual([]);
  });
});

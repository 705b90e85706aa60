import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_KNOWN_PRIMARY_ADDRS, PrimaryDialPlan } from './primary-dial-plan';

const addr = fc.constantFrom('https://a:8201', 'https://b:8201', 'https://c:8201', 'https://d:8201', 'https://e:8201');

describe('PrimaryDialPlan', () => {
  it('tries every known primary node once before backing off, starting with the one in use', () => {
    fc.assert(
      fc.property(addr, fc.array(addr, { maxLength: 6 }), (inUse, known) => {
        const plan = new PrimaryDialPlan(inUse, known);
        const all = plan.candidates();
        const tried = [plan.addr];
        while (!plan.failed()) tried.push(plan.addr);
        expect(tried).toEqual(all);
        expect(tried[0]).toBe(inUse);
        // The next round starts over from the address in use.
        expect(plan.addr).toBe(inUse);
      }),
    );
  });

  it('redirects and failures, in any order, reach a backoff within a bounded number of steps', () => {
    const step = fc.oneof(fc.constant({ kind: 'fail' as const }), fc.record({ kind: fc.constant('redirect' as const), to: fc.oneof(addr, fc.constant('')) }));
    fc.assert(
      fc.property(addr, fc.array(addr, { maxLength: 5 }), fc.infiniteStream(step), (inUse, known, steps) => {
        const plan = new PrimaryDialPlan(inUse, known);
        const bound = 2 * plan.candidates().length + 5 + 2; // redirects may add up to the 5 addresses of the alphabet
        let n = 0;
        for (const s of steps) {
          n++;
          const backoff = s.kind === 'fail' ? plan.failed() : plan.redirected(s.to, []);
          if (backoff) break;
          expect(n).toBeLessThanOrEqual(bound);
        }
      }),
    );
  });

  it('goes straight to the active a standby names', () => {
    const plan = new PrimaryDialPlan('https://a:8201', ['https://a:8201', 'https://b:8201', 'https://c:8201']);
    expect(plan.redirected('https://c:8201', [])).toBe(false);
    expect(plan.addr).toBe('https://c:8201');
    plan.connected(['https://a:8201', 'https://b:8201', 'https://c:8201']);
    expect(plan.candidates()[0]).toBe('https://c:8201');
  });

  it('a redirect to the dead old active counts as the standby failing (no ping-pong)', () => {
    const plan = new PrimaryDialPlan('https://a:8201', ['https://a:8201', 'https://b:8201', 'https://c:8201']);
    expect(plan.failed()).toBe(false); // a died
    expect(plan.addr).toBe('https://b:8201');
    expect(plan.redirected('https://a:8201', [])).toBe(false); // b still names a: try c
    expect(plan.addr).toBe('https://c:8201');
    expect(plan.redirected('https://a:8201', [])).toBe(true); // every node tried: back off
  });

  it('learns the primary cluster list, keeps the one in use, ignores an empty list and caps its size', () => {
    const plan = new PrimaryDialPlan('https://lb:8201', []);
    plan.learn([]);
    expect(plan.known).toEqual(['https://lb:8201']);
    plan.learn(['https://b:8201', 'https://b:8201', ' https://c:8201 ']);
    expect(plan.known).toEqual(['https://b:8201', 'https://c:8201', 'https://lb:8201']);
    plan.learn(Array.from({ length: 100 }, (_, i) => `https://n${i}:8201`));
    expect(plan.known.length).toBeLessThanOrEqual(MAX_KNOWN_PRIMARY_ADDRS + 1);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QuorumLostError } from './quorum';
import { AckQueue } from './quorum-ack';

// Whatever order the quorum answers in, commits are acknowledged in commit
// order; and from the first refused one on, nothing is acknowledged — not
// even a later commit the quorum did take — until a repair resets the queue.

describe('AckQueue', () => {
  it('acknowledges in commit order up to the first refusal, and nothing after it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }), fc.option(fc.nat({ max: n - 1 }), { nil: null }))),
        async ([n, settleOrder, refused]) => {
          const q = new AckQueue();
          const acked: number[] = [];
          const outcome: string[] = new Array(n).fill('pending');
          const settle: { resolve: () => void; reject: (e: Error) => void }[] = [];
          for (let i = 0; i < n; i++) {
            const appended = new Promise<void>((resolve, reject) => settle.push({ resolve, reject }));
            q.enqueue(appended, [{ resolve: () => (outcome[i] = 'ok'), reject: (e) => (outcome[i] = e instanceof QuorumLostError ? 'lost' : 'other') }], () => acked.push(i));
          }
          for (const i of settleOrder) {
            if (i === refused) settle[i].reject(new Error('fenced'));
            else settle[i].resolve();
            await Promise.resolve();
          }
          await q.drained();
          const cut = refused ?? n;
          expect(acked).toEqual([...Array(cut).keys()]);
          expect(outcome).toEqual([...Array(n).keys()].map((i) => (i < cut ? 'ok' : 'lost')));
          expect(q.idle).toBe(refused === null);
          q.reset();
          expect(q.idle).toBe(true);
        },
      ),
    );
  });
});

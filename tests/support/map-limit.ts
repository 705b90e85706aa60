// Checks that read back hundreds or thousands of keys over HTTP: one request
// at a time, each key costs a round trip through a loaded box; a bounded
// number in flight gives the same answers in a fraction of the time without
// flooding the server under test.

/** Default requests in flight: enough to hide round trips, few enough for a 2-core box. */
export const CHECK_CONCURRENCY = 16;

/** Runs `fn` over every item with at most `limit` in flight; rejects with the first failure. */
export async function mapLimit<T>(items: Iterable<T>, limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  const list = [...items];
  let next = 0;
  let failed = false;
  await Promise.all(
    Array.from({ length: Math.min(limit, list.length) }, async () => {
      while (!failed && next < list.length) {
        const item = list[next++];
        try {
          await fn(item);
        } catch (err) {
          failed = true; // the others stop taking new items: the first failure is the answer
          throw err;
        }
      }
    }),
  );
}

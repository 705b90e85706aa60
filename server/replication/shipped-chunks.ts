// What a secondary applies is cut into storage transactions small enough for
// the HA log of a secondary HA cluster to carry each in one etcd txn (etcd's
// defaults: 128 operations and 1.5 MiB per txn, every key counted once in the
// log entry and once in the state; server/ha/ha-log-txn.ts). One larger
// transaction is refused there, and the active steps down on it. Without HA
// smaller transactions cost nothing: the group commit still makes one SQLite
// commit and one fsync of them.

/** Keys per applied storage transaction (plus the position: well inside etcd's 128 operations). */
export const SHIPPED_TXN_MAX_OPS = 100;
/** Bytes of keys and values per applied storage transaction (base64 in the log plus raw in the state: ~2.4× in etcd). */
export const SHIPPED_TXN_MAX_BYTES = 256 * 1024;

/** `items` in order, cut into runs of at most maxItems and maxBytes (an item larger than maxBytes goes alone). */
export function chunked<T>(items: readonly T[], bytesOf: (t: T) => number, maxItems = SHIPPED_TXN_MAX_OPS, maxBytes = SHIPPED_TXN_MAX_BYTES): T[][] {
  const out: T[][] = [];
  let run: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const b = bytesOf(item);
    if (run.length && (run.length >= maxItems || bytes + b > maxBytes)) {
      out.push(run);
      run = [];
      bytes = 0;
    }
    run.push(item);
    bytes += b;
  }
  if (run.length) out.push(run);
  return out;
}

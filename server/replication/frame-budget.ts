import type { LogRecord } from '../storage/backend';
import { recordToWire, type WireRecord } from './frames';

// Batches (wals records, fetch-keys entries) are cut by the ENCODED size of
// the frame they travel in — never by record count or by a guess at value
// sizes — so a batch of large values cannot outgrow the frame limit and stall
// the link for good. The codec is JSON (frames.ts), so an item's encoded size
// is exactly the length of its JSON text; items in an array are joined by one
// comma each. What is not the item array (type, positions, flags) is bounded
// by ENVELOPE_RESERVE_BYTES, which frame-budget.test.ts checks against the
// largest envelope any batch frame can have.

/** Room kept in a batch frame for everything but its item array. */
export const ENVELOPE_RESERVE_BYTES = 1_024;

/** Bytes `item` takes inside an encoded frame. */
export function encodedBytes(item: unknown): number {
  return Buffer.byteLength(JSON.stringify(item), 'utf8');
}

/** Bytes left for the items of one batch frame on a connection with this frame limit. */
export function itemBudget(batchBytes: number, maxFrameBytes: number): number {
  return Math.max(1, Math.min(batchBytes, maxFrameBytes) - ENVELOPE_RESERVE_BYTES);
}

/** The largest single item a frame of this limit can carry (alone). */
export function largestItem(maxFrameBytes: number): number {
  return maxFrameBytes - ENVELOPE_RESERVE_BYTES;
}

/**
 * Fills one batch up to `budget` item bytes. The first item is always
 * admitted, so a large record still travels (alone); the caller checks it
 * against largestItem() and gives up with a reason if even that is too big.
 */
export class FrameBudget {
  private used = 0;
  private n = 0;

  constructor(readonly budget: number) {}

  /** Admit an item of `bytes` encoded bytes, or say the batch is full. */
  admit(bytes: number): boolean {
    const cost = this.n === 0 ? bytes : bytes + 1; // the comma before it
    if (this.n > 0 && this.used + cost > this.budget) return false;
    this.used += cost;
    this.n += 1;
    return true;
  }

  get count(): number {
    return this.n;
  }

  /** Encoded bytes of the admitted items, separators included. */
  get bytes(): number {
    return this.used;
  }
}

/** Split items into consecutive batches that each fit `budget` (a too-large item alone). */
export function packByBytes<T>(items: readonly T[], budget: number, sizeOf: (item: T) => number = encodedBytes): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let b = new FrameBudget(budget);
  for (const item of items) {
    if (!b.admit(sizeOf(item))) {
      out.push(cur);
      cur = [];
      b = new FrameBudget(budget);
      b.admit(sizeOf(item));
    }
    cur.push(item);
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * One wals batch from `records` (consecutive log records): the longest prefix
 * whose shipped records fit `budget`, at least one record. Records the mode
 * does not ship (`local` on a performance link) take no room but still move
 * the batch's end. A record too large for any frame is an error the caller
 * gives up on, with this reason.
 */
export function cutWalBatch(
  records: readonly LogRecord[],
  ships: (cls: LogRecord['cls']) => boolean,
  budget: number,
  maxFrameBytes: number,
): { shipped: WireRecord[]; last: LogRecord } {
  const room = new FrameBudget(budget);
  const shipped: WireRecord[] = [];
  let last = records[0];
  for (const r of records) {
    if (ships(r.cls)) {
      const w = recordToWire(r);
      const bytes = encodedBytes(w);
      if (!room.admit(bytes)) break;
      if (bytes > largestItem(maxFrameBytes)) throw new Error(`record ${r.index} (${r.key}) encodes to ${bytes} bytes, more than a ${maxFrameBytes}-byte frame can carry`);
      shipped.push(w);
    }
    last = r;
  }
  return { shipped, last };
}

import { guardOf } from '../storage/wal-log';
import type { WirePosition, WireRecord } from './frames';

// A batch names the position it follows; the receiver checks it against its
// own stored position before applying (litefs streams with a position and a
// pre-apply checksum; a mismatch forces a snapshot). A gap would silently
// lose writes, a replay or a foreign history would corrupt state, so any
// mismatch stops the apply: the secondary reconnects from what it has
// stored, and the primary streams from there or asks for a merkle sync.
//
// Within the batch, records whose predecessor is also in it are checked
// against the guard chain (guard = H(previous guard ‖ record), wal-log.ts):
// a DR batch carries every record, so its whole chain is verified; a
// performance batch skips `local` records, and the chain restarts after
// each such hole.

export interface BatchHead {
  follows: WirePosition;
  records: readonly WireRecord[];
  lastIndex: number;
  lastGuard: string;
}

/** Why this batch must not be applied on top of `stored`, or null if it continues it exactly. */
export function continuityError(stored: WirePosition, batch: BatchHead): string | null {
  const { follows } = batch;
  if (follows.index > stored.index) return `gap: batch follows index ${follows.index} but this secondary holds only up to ${stored.index}`;
  if (follows.index < stored.index) return `replay: batch follows index ${follows.index} but this secondary already holds up to ${stored.index}`;
  if (follows.guard !== stored.guard) return `guard mismatch at index ${stored.index}: batch follows guard ${short(follows.guard)}, stored guard is ${short(stored.guard)} (diverged history)`;
  if (batch.lastIndex < follows.index) return `batch ends at index ${batch.lastIndex}, before the position it follows (${follows.index})`;
  let prev: WirePosition = follows;
  for (const r of batch.records) {
    if (r.index <= prev.index || r.index > batch.lastIndex) {
      return `record index ${r.index} out of order (after ${prev.index}, batch ends at ${batch.lastIndex})`;
    }
    if (r.index === prev.index + 1) {
      const value = r.value === null ? null : Buffer.from(r.value, 'base64');
      if (guardOf(prev.guard, r.index, r.key, r.op, value) !== r.guard) return `guard chain broken at index ${r.index}`;
    }
    prev = { index: r.index, guard: r.guard };
  }
  if (prev.index === batch.lastIndex && prev.guard !== batch.lastGuard) return `batch's last guard does not match its record at index ${batch.lastIndex}`;
  return null;
}

const short = (g: string) => (g ? g.slice(0, 12) : '(none)');

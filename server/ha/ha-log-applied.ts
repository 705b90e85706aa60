import type { StorageOp } from '../storage/backend';
import type { LogPosition } from '../storage/quorum';

// This node's record of how far it follows the cluster's log
// (`core/node/ha-applied`, never carried): written in the same SQLite
// transaction as every apply and repair, so at start-up the node knows the
// last batch its state includes and the etcd revision to watch from.
// `leading` is set while this node appends: its SQLite may then hold a write
// etcd never took (a crash between local commit and ack), so a start-up or a
// step-down that cannot prove otherwise repairs.

export const HA_APPLIED_KEY = 'core/node/ha-applied';

export interface AppliedMarker {
  /** The etcd prefix this record is about: a node moved to another prefix starts over. */
  prefix: string;
  /** Last batch seq included (0: the seeded state, no batch yet). */
  seq: number;
  /** The etcd revision this state is consistent with: watch from revision + 1. 0: never synced with this prefix. */
  revision: number;
  /** WalLog position after `seq`. */
  index: number;
  guard: string;
  leading: boolean;
}

export function markerOp(m: AppliedMarker): Extract<StorageOp, { op: 'put' }> {
  return { op: 'put', key: HA_APPLIED_KEY, value: Buffer.from(JSON.stringify(m)) };
}

/** The stored marker for `prefix`, or null when there is none (or it is about another prefix, or unreadable). */
export function readMarker(value: Buffer | null, prefix: string): AppliedMarker | null {
  if (!value) return null;
  try {
    const m = JSON.parse(value.toString('utf8')) as AppliedMarker;
    if (m.prefix !== prefix || !Number.isSafeInteger(m.seq) || !Number.isSafeInteger(m.revision) || typeof m.guard !== 'string') return null;
    return m;
  } catch {
    return null;
  }
}

export const positionOf = (m: { index: number; guard: string }): LogPosition => ({ index: m.index, guard: m.guard });

import { VaultError } from '../errors';
import type { StorageOp } from './backend';

// The seam between a node's SQLite and its cluster's quorum log (HA: the etcd
// log in server/ha/ha-log.ts). Storage stays below HA: it only knows that,
// when an appender is set, a local commit is not acknowledged (flushed(),
// committedIndex, onCommit) until the appender says the quorum has it.

/** A WalLog position: the last record's index and chain guard. */
export interface LogPosition {
  index: number;
  guard: string;
}

/** One storage transaction as the quorum log carries it, and the WalLog position right after it. */
export interface CarriedTxn {
  ops: StorageOp[];
  after: LogPosition;
}

/** What one local commit (a group commit's batch, or one transaction) made: in commit order. */
export interface QuorumBatch {
  before: LogPosition;
  txns: CarriedTxn[];
}

export interface QuorumAppender {
  /**
   * Called in commit order, once per local commit that carried anything;
   * resolve once the quorum committed it, reject when it never will (the
   * node lost leadership or quorum). Must settle in call order.
   */
  append(batch: QuorumBatch): Promise<void>;
  /** Throws (before anything is written) for a transaction the quorum log could never carry. */
  admit?(carriedOps: StorageOp[]): void;
}

/** This node's own keys (merkle health, HA bookkeeping): never in the cluster's log. */
export const NODE_PREFIX = 'core/node/';
export const isQuorumCarried = (key: string): boolean => !key.startsWith(NODE_PREFIX);

/**
 * A write committed locally that the cluster's log did not take: nothing was
 * acknowledged, and this node is no longer the one that may write. Clients
 * retry against the active node (503, like Vault's standby answers).
 */
export class QuorumLostError extends VaultError {
  constructor(reason: string, opts?: ErrorOptions) {
    super('unavailable', `write not acknowledged: this node can no longer commit to the cluster's log (${reason}); retry against the active node`, opts);
    this.name = 'QuorumLostError';
  }
}

/** A committed batch that does not follow from, or does not lead to, the WalLog position it names: this node's state differs from the log's. */
export class LogDivergenceError extends Error {
  constructor(
    readonly expected: LogPosition,
    readonly actual: LogPosition,
    what: 'before' | 'after',
  ) {
    super(`HA log divergence: the batch expects the WalLog ${what} it at ${expected.index}/${expected.guard}, this node is at ${actual.index}/${actual.guard}`);
    this.name = 'LogDivergenceError';
  }
}

export const samePosition = (a: LogPosition, b: LogPosition): boolean => a.index === b.index && a.guard === b.guard;

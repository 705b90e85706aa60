import type { StorageOp } from './backend';
import { classOf } from './key-class';
import { isQuorumCarried } from './quorum';
import { checkRoleWrites, ReadOnlyError, type RoleSource, type WriteMode } from './write-ownership';

// Who may write what on this node, judged where the write lands
// (STYLE.md "Invariants live in structure"): the replication role's write mode
// (write-ownership.ts) and, in an HA cluster, whether this node is a standby.

export class WriteAdmission {
  mode: WriteMode = 'all';
  roles: RoleSource | null = null;
  /**
   * HA: while this node is not the active (ha/ha-runtime.ts), the cluster's
   * keys are written only by the log applier; a client write of one is refused
   * before anything is written (ReadOnlyError: core forwards the request to
   * the active), so a standby never holds a write the log does not.
   */
  haStandby = false;

  /** A client write: throws ReadOnlyError before anything is written. */
  client(ops: StorageOp[]): void {
    checkRoleWrites(this.mode, this.roles, 'client', ops);
    if (this.haStandby) for (const o of ops) if (isQuorumCarried(o.key)) throw new ReadOnlyError(o.key, classOf(o.key), 'all', 'client');
  }

  /** What the replication applier writes. */
  applier(ops: StorageOp[]): void {
    checkRoleWrites(this.mode, this.roles, 'applier', ops);
  }

  /** Some client write may be refused here: requests then journal their writes to undo them (write-journal.ts). */
  get mayRefuse(): boolean {
    return this.mode !== 'all' || this.haStandby;
  }
}

import type { Logger } from '../log';
import type { EtcdClient } from './etcd-client';
import { EtcdError } from './etcd-error';
import { buildTrimTxn, haLogKey } from './ha-log-txn';

// The active keeps the last `retention` batches in etcd and drops the rest,
// then compacts etcd's history up to the oldest batch kept: etcd keeps every
// old value (each overwritten state/ key) until compacted, and its backend
// quota counts them. A member further behind — down for longer, or watching
// from a compacted revision — repairs from state/, so trimming needs no list
// of what every member applied. Not fenced: it only removes history.

export const DEFAULT_LOG_RETENTION = 10_000;
/** Trim at most every this many batches (and every tenth of the retention when that is smaller). */
const TRIM_EVERY_MAX = 1_000;

export class LogTrimmer {
  private trimmedThrough = 0;
  private readonly retention: number;

  constructor(
    private readonly client: EtcdClient,
    private readonly prefix: string,
    retention: number | undefined,
    private readonly log: Logger,
  ) {
    this.retention = retention ?? DEFAULT_LOG_RETENTION;
  }

  /** Called after each append with the new tip's seq; now and then trims in the background. */
  noteAppended(tipSeq: number): void {
    const every = Math.max(1, Math.min(TRIM_EVERY_MAX, Math.floor(this.retention / 10)));
    const through = tipSeq - this.retention;
    if (through < 1 || through - this.trimmedThrough < every) return;
    this.trimmedThrough = through;
    this.trim(through).catch((err: unknown) => this.log.warn({ err: (err as Error).message, through }, 'HA log: trimming old batches failed; retried later'));
  }

  private async trim(through: number): Promise<void> {
    const oldestKept = await this.client.get(haLogKey(this.prefix, through + 1));
    await this.client.txn(buildTrimTxn(this.prefix, through));
    if (!oldestKept) return;
    try {
      await this.client.compact(oldestKept.modRevision);
    } catch (err) {
      if (!(err instanceof EtcdError && err.code === 'compacted')) throw err; // compacted further already
    }
  }
}

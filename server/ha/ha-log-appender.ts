import { randomBytes } from 'node:crypto';
import type { Logger } from '../log';
import type { StorageOp } from '../storage/backend';
import { QuorumLostError, type QuorumAppender, type QuorumBatch } from '../storage/quorum';
import { DEFAULT_LEASE_TTL_SECONDS, type Leadership } from './election';
import type { EtcdClient } from './etcd-client';
import { EtcdError } from './etcd-error';
import { decodeBatch, type HaBatch } from './ha-log-batch';
import { appendBatch } from './log-append';
import { fits, haLogKey, type SeenHaTip, splitAtTxns, txnCost, TxnTooLargeError, type TxnLimits } from './ha-log-txn';

// The active's side of the HA log (decision 3): each local commit becomes
// one or more fenced appends, sent strictly one after another. An append that
// etcd refuses (tip moved, leader key not ours) or that cannot reach etcd for
// `unreachableMs` ends this appender: it and everything queued after it reject
// with QuorumLostError, and onFenced tells the runtime to step down. A call
// that fails without an answer may still have committed; the batch's random
// id tells: the log key at that seq holds our batch, or someone else's.

/** An append unanswered this long is refused: the election's lease, after which another node may lead. */
export const DEFAULT_UNREACHABLE_MS = DEFAULT_LEASE_TTL_SECONDS * 1000;
const RETRY_MS = 100;

export interface AppenderOptions {
  client: EtcdClient;
  prefix: string;
  leadership: Leadership;
  seen: SeenHaTip;
  limits: TxnLimits;
  unreachableMs: number;
  logger: Logger;
  /** A batch is in etcd: its seq, the txn's revision and the tip it made. */
  onAppended(seen: SeenHaTip): void;
  onFenced(reason: string): void;
}

type Job =
  | { kind: 'batch'; batch: QuorumBatch; resolve: () => void; reject: (err: Error) => void }
  | { kind: 'run'; run: () => Promise<void>; resolve: () => void; reject: (err: Error) => void };

export class LeaderAppender implements QuorumAppender {
  private readonly queue: Job[] = [];
  private running: Promise<void> | null = null;
  private failed: QuorumLostError | null = null;
  private seenTip: SeenHaTip;

  constructor(private readonly o: AppenderOptions) {
    this.seenTip = o.seen;
  }

  /** The tip after the last append that etcd confirmed. */
  get seen(): SeenHaTip {
    return this.seenTip;
  }

  get lost(): QuorumLostError | null {
    return this.failed;
  }

  admit(carriedOps: StorageOp[]): void {
    if (!carriedOps.length) return;
    const c = txnCost(this.o.prefix, this.o.leadership.key, [carriedOps]);
    if (!fits(c, this.o.limits)) throw new TxnTooLargeError(c.ops, c.bytes, this.o.limits);
  }

  append(batch: QuorumBatch): Promise<void> {
    return this.push((resolve, reject) => ({ kind: 'batch', batch, resolve, reject }));
  }

  /** Run `run` after everything queued, before anything queued later (a seed goes first). */
  enqueue(run: () => Promise<void>): Promise<void> {
    return this.push((resolve, reject) => ({ kind: 'run', run, resolve, reject }));
  }

  private push(make: (resolve: () => void, reject: (err: Error) => void) => Job): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const p = new Promise<void>((resolve, reject) => this.queue.push(make(resolve, reject)));
    this.kick();
    return p;
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.queue.length) this.kick();
    });
  }

  /**
   * Send what is queued, oldest first. Local commits that queued up while an
   * append was in flight go out together (positions are contiguous: each
   * starts where the previous one ended), split only between transactions.
   */
  private async drain(): Promise<void> {
    while (this.queue.length) {
      const first = this.queue[0];
      const jobs = first.kind === 'run' ? this.queue.splice(0, 1) : this.queue.splice(0, countBatches(this.queue));
      try {
        if (this.failed) throw this.failed;
        if (first.kind === 'run') await first.run();
        else {
          const txns = jobs.flatMap((j) => (j.kind === 'batch' ? j.batch.txns : []));
          const before = (first as Extract<Job, { kind: 'batch' }>).batch.before;
          for (const p of splitAtTxns(this.o.prefix, this.o.leadership.key, before, txns, this.o.limits)) await this.send({ id: randomBytes(8).toString('hex'), ...p });
        }
        for (const j of jobs) j.resolve();
      } catch (err) {
        const e = this.fail(err instanceof Error ? err.message : String(err), err);
        for (const j of jobs) j.reject(e);
      }
    }
  }

  /** Refuse everything not yet sent (stepping down); what is in flight finishes. */
  close(reason: string): void {
    this.failed ??= new QuorumLostError(reason);
    for (const j of this.queue.splice(0)) j.reject(this.failed);
  }

  /** Settles once everything queued so far has been sent or refused. */
  async drained(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Replace the tip (after a seed). */
  setSeen(seen: SeenHaTip): void {
    this.seenTip = seen;
  }

  private async send(batch: HaBatch): Promise<void> {
    const { client, prefix, leadership } = this.o;
    const deadline = Date.now() + this.o.unreachableMs;
    const seq = this.seenTip.tip.seq + 1;
    for (;;) {
      if (this.failed) throw this.failed;
      try {
        const r = await appendBatch(client, prefix, this.seenTip, leadership, batch, this.o.limits);
        if (r.ok) return this.appended(seq, batch, r.seen.modRevision);
        // A retry whose first attempt landed sees its own batch as the moved tip.
        if (r.reason === 'stale_tip' && (await this.landed(seq, batch))) return;
        throw new QuorumLostError(r.reason === 'stale_tip' ? `the log tip moved under this leader (seq ${seq})` : 'fenced: this node no longer holds the leader key');
      } catch (err) {
        if (err instanceof QuorumLostError || !(err instanceof EtcdError && err.transient)) throw err;
        if (Date.now() > deadline) throw new QuorumLostError(`etcd unreachable for ${this.o.unreachableMs} ms: ${err.message}`, { cause: err });
        this.o.logger.debug({ err: err.message, seq }, 'HA log append failed without an answer; checking and retrying');
        await new Promise((r) => setTimeout(r, RETRY_MS));
        try {
          if (await this.landed(seq, batch)) return;
        } catch {
          /* still unreachable: the loop retries until the deadline */
        }
      }
    }
  }

  /** Is our batch (by id) at `seq` already? Then take it as appended. */
  private async landed(seq: number, batch: HaBatch): Promise<boolean> {
    const kv = await this.o.client.get(haLogKey(this.o.prefix, seq));
    if (!kv) return false;
    let id: string;
    try {
      id = decodeBatch(kv.value).id;
    } catch {
      return false;
    }
    if (id !== batch.id) throw new QuorumLostError(`another writer appended seq ${seq}`);
    this.appended(seq, batch, kv.modRevision);
    return true;
  }

  private appended(seq: number, batch: HaBatch, revision: number): void {
    this.seenTip = { tip: { seq, index: batch.after.index, guard: batch.after.guard }, modRevision: revision };
    this.o.onAppended(this.seenTip);
  }

  private fail(reason: string, cause: unknown): QuorumLostError {
    if (this.failed) return this.failed;
    this.failed = cause instanceof QuorumLostError ? cause : new QuorumLostError(reason, { cause });
    this.o.logger.warn({ reason }, 'HA log append failed: no further write is acknowledged');
    if (!(cause instanceof TxnTooLargeError)) this.o.onFenced(reason);
    else this.o.onFenced(`a storage transaction too large for the HA log was committed locally: ${reason}`);
    return this.failed;
  }
}

function countBatches(queue: Job[]): number {
  let n = 0;
  while (n < queue.length && queue[n].kind === 'batch') n++;
  return n;
}

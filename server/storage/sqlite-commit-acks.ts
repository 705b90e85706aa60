import type { LogRecord } from './backend';
import type { QuorumAppender, QuorumBatch } from './quorum';
import { AckQueue, type AckWaiter } from './quorum-ack';
import type { WalLog } from './wal-log';

// When a local commit counts as committed: at once on a lone node, or (HA)
// once the quorum appender has it and every earlier commit (quorum-ack.ts).
// Only then do waiters resolve, the committed index move, and the commit
// listeners (the replication shipper) hear of its records.

export type CommitListener = (records: LogRecord[]) => void;

export class CommitAcks {
  private readonly listeners = new Set<CommitListener>();
  private readonly queue = new AckQueue();
  private quorum: QuorumAppender | null = null;
  private committedIdx: number;

  constructor(private readonly log: WalLog) {
    this.committedIdx = log.lastIndex;
  }

  /** The highest log index acknowledged as committed. */
  get index(): number {
    return this.committedIdx;
  }

  get appender(): QuorumAppender | null {
    return this.quorum;
  }

  /** Route later commits through `appender` (null: acknowledge locally); settles once everything queued before has. */
  setAppender(appender: QuorumAppender | null): Promise<void> {
    this.quorum = appender;
    return this.queue.drained();
  }

  /** Why acknowledgements stopped (an append the quorum refused), until reset(). */
  get lost(): Error | null {
    return this.queue.lost;
  }

  /** A promise for every commit queued so far, or null when none waits. */
  wait(): Promise<void> | null {
    return this.queue.wait();
  }

  /** A local commit is durable here: acknowledge it now, or once the quorum has it and every earlier one. */
  acknowledge(q: QuorumBatch, records: LogRecord[], waiters: AckWaiter[]): void {
    const index = this.log.lastIndex;
    if (!this.quorum && this.queue.idle) {
      this.committed(records, index);
      for (const w of waiters) w.resolve();
      return;
    }
    const appended = this.quorum && q.txns.length ? this.quorum.append(q) : null;
    this.queue.enqueue(appended, waiters, () => this.committed(records, index));
  }

  committed(records: LogRecord[], index = this.log.lastIndex): void {
    this.committedIdx = index;
    if (!records.length) return;
    this.log.noteCommitted(records.length);
    for (const l of this.listeners) l(records);
  }

  /** The store was repaired to a log at `index`: acknowledge again from there. */
  reset(index: number): void {
    this.queue.reset();
    this.committedIdx = index;
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

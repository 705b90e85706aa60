import { QuorumLostError } from './quorum';

// Acknowledgements of local commits that wait for the quorum log: strictly in
// commit order (a later commit is never acknowledged before an earlier one,
// even one that carried nothing), and once one append is refused, nothing
// after it is acknowledged either — this node's SQLite now holds writes the
// cluster does not have, and only a repair (reset()) makes it trustworthy.

export interface AckWaiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class AckQueue {
  private tail: Promise<void> = Promise.resolve();
  private readonly pending: AckWaiter[][] = [];
  private lostWith: Error | null = null;

  /** Nothing waiting and nothing refused: a commit may be acknowledged at once. */
  get idle(): boolean {
    return this.pending.length === 0 && this.lostWith === null;
  }

  /** Why acknowledgements stopped, until reset(). */
  get lost(): Error | null {
    return this.lostWith;
  }

  /** After `appended` (null: nothing to append) and everything queued before it, run onAck and resolve the waiters. */
  enqueue(appended: Promise<void> | null, waiters: AckWaiter[], onAck: () => void): void {
    appended?.catch(() => undefined); // observed below, perhaps after it settles
    const list = [...waiters];
    this.pending.push(list);
    this.tail = this.tail
      .then(() => appended)
      .then(
        () => {
          this.pending.shift();
          if (this.lostWith) return rejectAll(list, this.lostWith);
          onAck();
          for (const w of list) w.resolve();
        },
        (err: unknown) => {
          this.pending.shift();
          this.lostWith ??= err instanceof QuorumLostError ? err : new QuorumLostError((err as Error)?.message ?? String(err), { cause: err });
          rejectAll(list, this.lostWith);
        },
      );
  }

  /** A promise for everything queued so far, or null when nothing is. */
  wait(): Promise<void> | null {
    if (this.lostWith && !this.pending.length) return Promise.reject(this.lostWith);
    const last = this.pending.at(-1);
    if (!last) return null;
    return new Promise((resolve, reject) => last.push({ resolve, reject }));
  }

  /** Settles once everything queued so far has been acknowledged or refused. */
  drained(): Promise<void> {
    return this.tail;
  }

  /** The store was repaired from the cluster's state: acknowledge again. */
  reset(): void {
    this.lostWith = null;
  }
}

function rejectAll(list: AckWaiter[], err: Error): void {
  for (const w of list) w.reject(err);
}

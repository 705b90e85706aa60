import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';

// Group commit's durability, off the event loop. With synchronous=FULL SQLite
// fsyncs the WAL inside COMMIT, and better-sqlite3 is synchronous, so the whole
// process (every request, every replication frame) stops for the disk's flush:
// ~2 ms here, 10 ms and more under load. With synchronous=NORMAL a COMMIT only
// writes the WAL frames; this class fsyncs the WAL file on libuv's thread pool
// and runs a commit's callback once an fsync that began after that COMMIT has
// completed. In WAL mode that is as durable as FULL: after a crash SQLite
// replays every checksummed frame of the synced file, and nobody (client,
// committed index, log shipper) hears of a commit before its fsync. One fsync
// covers every commit made before it began; commits made while one runs wait
// for the next (group commit at the disk as well). An fsync error cannot be
// retried safely (the kernel may have dropped the dirty pages), so the process
// stops rather than acknowledge anything more.

type Callback = () => void;

export class WalSync {
  private fd: number | null = null;
  /** Commits waiting for the next fsync. */
  private queued: Callback[] = [];
  /** Commits the running fsync covers, or null when none runs. */
  private running: Callback[] | null = null;
  private closed = false;

  constructor(private readonly walPath: string) {}

  /** Run `fn` once the WAL, as written so far, is on disk. */
  afterSync(fn: Callback): void {
    this.queued.push(fn);
    if (!this.running) this.start();
  }

  /** Resolves once every commit made so far is durable. */
  synced(): Promise<void> {
    if (this.queued.length) return new Promise((r) => this.queued.push(r));
    if (this.running) return new Promise((r) => this.running!.push(r));
    return Promise.resolve();
  }

  /** On shutdown: fsync now, run every pending callback, release the file. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const pending = [...(this.running ?? []), ...this.queued];
    this.queued = [];
    if (this.fd !== null) fsyncSync(this.fd);
    for (const fn of pending) fn();
    // An fsync still running on the thread pool holds the descriptor: close it when it returns.
    if (!this.running && this.fd !== null) closeSync(this.fd);
  }

  private start(): void {
    const covered = this.queued;
    this.queued = [];
    this.running = covered;
    this.fd ??= openSync(this.walPath, 'r'); // the WAL exists once a COMMIT wrote to it
    fsync(this.fd, (err) => {
      this.running = null;
      if (this.closed) {
        if (this.fd !== null) closeSync(this.fd);
        return;
      }
      if (err) {
        process.nextTick(() => {
          throw new Error(`fsync of ${this.walPath} failed; stopping rather than acknowledge writes that may not be on disk`, { cause: err });
        });
        return;
      }
      for (const fn of covered) fn();
      if (this.queued.length) this.start();
    });
  }
}

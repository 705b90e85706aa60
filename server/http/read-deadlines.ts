// The read side of the listener's timeouts (listener-timeouts.ts), kept per
// connection by the connection edge (connection-edge.ts), whose RequestFramer
// already follows request boundaries. node:http's own headersTimeout and
// requestTimeout are checked only for connections its server accepted itself
// (a timer it starts on 'listening'); ours are handed over by the front
// listener, so node never checks them.

export interface ReadDeadlineOptions {
  /** Until the request head is complete; 0 = none. */
  headerMs: number;
  /** Until the whole request (body included) has arrived; 0 = none. */
  requestMs: number;
}

// One timer per connection, armed for the earliest pending deadline and moved
// only when a deadline comes due sooner: starting and finishing a request (on
// every request of a keep-alive connection) only writes two numbers, instead
// of arming and clearing two timers each time.
export class ReadDeadlines {
  /** performance.now() at which each deadline expires; 0 = not running. */
  private headerAt = 0;
  private requestAt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = 0;
  private stopped = false;

  constructor(
    private readonly opts: ReadDeadlineOptions,
    private readonly expire: (which: 'header' | 'request') => void,
  ) {}

  /** A request begins: at accept, and at the first byte of each later request. Idempotent. */
  requestStarted(): void {
    if (this.stopped || this.headerAt || this.requestAt) return;
    const now = performance.now();
    if (this.opts.headerMs > 0) this.headerAt = now + this.opts.headerMs;
    if (this.opts.requestMs > 0) this.requestAt = now + this.opts.requestMs;
    this.schedule(now);
  }

  headComplete(): void {
    this.headerAt = 0;
  }

  requestComplete(): void {
    this.headerAt = 0;
    this.requestAt = 0;
  }

  /** The connection left HTTP (upgrade) or closed: no more deadlines. */
  stop(): void {
    this.requestComplete();
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private next(): number {
    if (!this.headerAt) return this.requestAt;
    return this.requestAt ? Math.min(this.headerAt, this.requestAt) : this.headerAt;
  }

  private schedule(now: number): void {
    const due = this.next();
    if (!due || (this.timer && this.timerAt <= due)) return; // a timer that fires earlier re-checks then
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = due;
    this.timer = setTimeout(this.check, Math.max(1, Math.ceil(due - now)));
    this.timer.unref();
  }

  private readonly check = (): void => {
    this.timer = null;
    const now = performance.now();
    const which = this.headerAt && this.headerAt <= now ? 'header' : this.requestAt && this.requestAt <= now ? 'request' : null;
    if (!which) return this.schedule(now);
    this.stop();
    this.expire(which);
  };
}

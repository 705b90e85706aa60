// The read side of the listener's timeouts (listener-timeouts.ts), kept per
// connection by ListMethodSocket, which already follows request boundaries.
// node:http's own headersTimeout/requestTimeout are checked only for
// connections its server accepted itself (a timer it starts on 'listening');
// ours are handed over through ListMethodSocket, so node never checks them.
// A connection that sends nothing at all is never checked by node either.

export interface ReadDeadlineOptions {
  /** Until the request head is complete; 0 = none. */
  headerMs: number;
  /** Until the whole request (body included) has arrived; 0 = none. */
  requestMs: number;
}

export class ReadDeadlines {
  private header: ReturnType<typeof setTimeout> | null = null;
  private request: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly opts: ReadDeadlineOptions,
    private readonly expire: (which: 'header' | 'request') => void,
  ) {}

  /** A request begins: at accept, and at the first byte of each later request. Idempotent. */
  requestStarted(): void {
    if (this.stopped) return;
    if (!this.header && !this.request) {
      if (this.opts.headerMs > 0) this.header = this.arm(this.opts.headerMs, 'header');
      if (this.opts.requestMs > 0) this.request = this.arm(this.opts.requestMs, 'request');
    }
  }

  headComplete(): void {
    if (this.header) clearTimeout(this.header);
    this.header = null;
  }

  requestComplete(): void {
    this.headComplete();
    if (this.request) clearTimeout(this.request);
    this.request = null;
  }

  /** The connection left HTTP (upgrade) or closed: no more deadlines. */
  stop(): void {
    this.requestComplete();
    this.stopped = true;
  }

  private arm(ms: number, which: 'header' | 'request') {
    const t = setTimeout(() => {
      this.stop();
      this.expire(which);
    }, ms);
    t.unref();
    return t;
  }
}

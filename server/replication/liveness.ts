// Liveness of a replication link. TCP alone cannot tell a frozen peer
// (SIGSTOP, a stalled VM) from a quiet one: the kernel keeps acknowledging,
// keepalives keep succeeding, and a side that only waits to read shows
// `ready` forever. So each side expects to hear from the other at least once
// per heartbeat interval (the primary sends a heartbeat, the secondary
// answers it, and any other frame counts too); after MISSED_HEARTBEATS
// intervals of silence the link is declared down (gRPC keepalive semantics,
// Vault's `transient_failure`).

/** Intervals of silence after which a link is down. */
export const MISSED_HEARTBEATS = 3;

export function silenceReason(peer: string, silentMs: number, intervalMs: number): string {
  return `no heartbeat from the ${peer} for ${silentMs} ms (${MISSED_HEARTBEATS} missed heartbeats at ${intervalMs} ms intervals)`;
}

/**
 * Calls onSilent once, when nothing was heard (touch) for MISSED_HEARTBEATS
 * intervals. A check that fires late because this process's own event loop
 * was blocked (or the process itself was frozen) first lets pending I/O run:
 * a peer whose frames are already waiting in the socket is not silent.
 */
export class LivenessWatch {
  private last = Date.now();
  private timer: NodeJS.Timeout | null;
  private fired = false;

  constructor(
    private readonly intervalMs: number,
    private readonly onSilent: (silentMs: number) => void,
  ) {
    this.timer = setInterval(() => this.check(), Math.max(1, Math.floor(intervalMs / 2)));
    this.timer.unref();
  }

  /** Timeout after which the link is down. */
  get timeoutMs(): number {
    return MISSED_HEARTBEATS * this.intervalMs;
  }

  /** Whether the link was declared down. */
  get expired(): boolean {
    return this.fired;
  }

  /** When the peer was last heard from (ms since the epoch). */
  get lastContact(): number {
    return this.last;
  }

  touch(): void {
    this.last = Date.now();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private check(): void {
    if (this.fired || Date.now() - this.last <= this.timeoutMs) return;
    // setImmediate runs after the poll phase, so frames that arrived while we were blocked are read first.
    setImmediate(() => {
      const silent = Date.now() - this.last;
      if (this.fired || !this.timer || silent <= this.timeoutMs) return;
      this.fired = true;
      this.stop();
      this.onSilent(silent);
    });
  }
}

import { call } from './http';
import type { CanaryAck, CanarySecond } from './types';

// The canary writer: KV v2 writes at a steady rate to whichever cluster is
// the primary right now, each acknowledged one logged with its time and who
// acknowledged it. A write that hangs (a killed primary) must not stop the
// clock, so writes are fired on a timer, not one after another, with a cap
// on how many may be in flight.
export const CANARY_WRITE_TIMEOUT_MS = 2_000;
const MAX_IN_FLIGHT = 16;

export interface CanaryTarget {
  addr: string;
  token: string;
  who: 'old' | 'new';
}

export interface CanaryWriterOptions {
  mount: string;
  /** Key prefix inside the mount (the drill's id), so drills never mix. */
  prefix: string;
  rate: number;
  onSecond?: (s: CanarySecond) => void;
  /** Replication lag now, sampled once a second (null: not measurable). */
  sampleLag?: () => Promise<number | null>;
}

export class CanaryWriter {
  readonly acks: CanaryAck[] = [];
  readonly series: CanarySecond[] = [];
  written = 0;
  private target: CanaryTarget | null = null;
  private paused = false;
  private inFlight = new Set<Promise<void>>();
  private tick: ReturnType<typeof setInterval> | null = null;
  private secondTimer: ReturnType<typeof setInterval> | null = null;
  private startedAt = 0;
  private current = { acked: 0, failed: 0, old: 0, new: 0 };
  private lag: number | null = null;

  constructor(private readonly opts: CanaryWriterOptions) {}

  keyOf(seq: number): string {
    return `${this.opts.mount}/data/${this.opts.prefix}/${seq}`;
  }

  start(target: CanaryTarget): void {
    this.target = target;
    this.startedAt = Date.now();
    this.tick = setInterval(() => this.fire(), Math.max(1, Math.round(1000 / this.opts.rate)));
    this.secondTimer = setInterval(() => this.closeSecond(), 1000);
  }

  setTarget(target: CanaryTarget | null): void {
    this.target = target;
  }

  /** Stop issuing writes and wait for those in flight (planned steps drain first). */
  async pause(): Promise<void> {
    this.paused = true;
    await Promise.allSettled([...this.inFlight]);
  }

  resume(): void {
    this.paused = false;
  }

  async stop(): Promise<void> {
    if (this.tick) clearInterval(this.tick);
    if (this.secondTimer) clearInterval(this.secondTimer);
    this.tick = this.secondTimer = null;
    await Promise.allSettled([...this.inFlight]);
    this.closeSecond();
  }

  ackedBy(who: 'old' | 'new'): number {
    return this.acks.filter((a) => a.by === who).length;
  }

  private fire(): void {
    const t = this.target;
    if (this.paused || !t || this.inFlight.size >= MAX_IN_FLIGHT) return;
    const seq = ++this.written;
    const p = call(t.addr, 'POST', this.keyOf(seq), { token: t.token, body: { data: { seq, at: new Date().toISOString() } }, timeoutMs: CANARY_WRITE_TIMEOUT_MS })
      .then((r) => {
        if (r.status === 200) {
          this.acks.push({ seq, at: Date.now(), by: t.who });
          this.current.acked++;
          this.current[t.who]++;
        } else this.current.failed++;
      })
      .catch(() => void this.current.failed++)
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private closeSecond(): void {
    const c = this.current;
    this.current = { acked: 0, failed: 0, old: 0, new: 0 };
    const s: CanarySecond = {
      t: Math.round((Date.now() - this.startedAt) / 1000),
      at: new Date().toISOString(),
      acked: c.acked,
      failed: c.failed,
      ackedByOld: c.old,
      ackedByNew: c.new,
      lagWals: this.lag,
    };
    this.series.push(s);
    this.opts.onSecond?.(s);
    this.opts
      .sampleLag?.()
      .then((l) => (this.lag = l))
      .catch(() => (this.lag = null));
  }
}

import type { ClusterDriver } from './cluster-driver';
import type { History, NodeName, WriteOp } from './history';
import { call, sleep } from './http';

// The clients of a chaos run. Writers put unique values (KV v2, each key
// written once) — directly on whoever is primary now, forwarded through the
// performance secondary, and, during a failover, a "stale" writer that keeps
// using the old primary as a client with an outdated address would. Readers
// read acknowledged keys back on the primary and the performance secondary.
// Every operation lands in the history with its times and outcome.
const WRITE_TIMEOUT_MS = 5_000;
const READ_EVERY_MS = 50;
const RECENT = 200;

export interface ClientOptions {
  directWriters: number;
  /** Pause between one writer's operations (bounds the write rate on a small box). */
  pauseMs: number;
}

export class Clients {
  /** While set, the stale writer writes to this (former) primary. */
  stalePrimary: NodeName | null = null;
  private forwardPaused = false;
  private forwardInFlight: Promise<unknown> = Promise.resolve();
  /** While set, no writer sends anything (see quiesce). */
  private quiet = false;
  private readonly inFlight = new Set<Promise<void>>();
  private running = true;
  private readonly loops: Promise<void>[] = [];
  private readonly recent: WriteOp[] = [];

  constructor(
    private readonly d: ClusterDriver,
    private readonly h: History,
    private readonly clock: () => number,
    opts: ClientOptions,
  ) {
    for (let i = 1; i <= opts.directWriters; i++) this.loops.push(this.writer(`w${i}`, opts.pauseMs, () => this.direct()));
    this.loops.push(this.writer('fwd', opts.pauseMs, () => this.forwarded()));
    this.loops.push(this.writer('stale', opts.pauseMs, () => this.stale()));
    this.loops.push(this.reader());
  }

  private direct() {
    const p = this.d.primary;
    return { via: p, primary: p, token: this.d.rootToken, forwarded: false };
  }

  private forwarded() {
    const s = this.d.perfSecondary;
    if (!s || this.forwardPaused) return null;
    return { via: s, primary: this.d.perfPrimary, token: this.d.perfToken, forwarded: true };
  }

  private stale() {
    const p = this.stalePrimary;
    return p ? { via: p, primary: p, token: this.d.rootToken, forwarded: false } : null;
  }

  private async writer(client: string, pauseMs: number, target: () => { via: NodeName; primary: NodeName; token: string; forwarded: boolean } | null): Promise<void> {
    let seq = 0;
    while (this.running) {
      const t = this.quiet ? null : target();
      if (!t) {
        await sleep(50);
        continue;
      }
      const op = this.write(client, seq++, t);
      if (t.forwarded) this.forwardInFlight = op;
      this.inFlight.add(op);
      await op;
      this.inFlight.delete(op);
      await sleep(pauseMs);
    }
  }

  private async write(client: string, seq: number, t: { via: NodeName; primary: NodeName; token: string; forwarded: boolean }): Promise<void> {
    const key = `chaos/${client}/${seq}`;
    const value = `${this.h.seed}:${client}:${seq}`;
    const op: WriteOp = { key, value, client, via: t.via, primary: t.primary, forwarded: t.forwarded, invokedAt: this.clock(), completedAt: 0, outcome: 'unknown' };
    try {
      const r = await call(this.d.node(t.via).addr, 'POST', `secret/data/${key}`, { token: t.token, body: { data: { v: value } }, timeoutMs: WRITE_TIMEOUT_MS });
      op.outcome = r.status >= 200 && r.status < 300 ? 'ok' : 'fail';
      if (op.outcome === 'fail') op.detail = `${r.status} ${JSON.stringify(r.body?.errors ?? r.body).slice(0, 200)}`;
    } catch (err) {
      op.detail = (err as Error).message;
    }
    op.completedAt = this.clock();
    this.h.writes.push(op);
    if (op.outcome === 'ok') {
      this.recent.push(op);
      if (this.recent.length > RECENT) this.recent.shift();
    }
  }

  private async reader(): Promise<void> {
    while (this.running) {
      await sleep(READ_EVERY_MS);
      const w = this.recent[Math.floor(Math.random() * this.recent.length)];
      if (!w) continue;
      const on = [this.d.primary, this.d.perfSecondary].filter((n): n is NodeName => !!n && this.d.node(n).run === 'up');
      await Promise.all(on.map((n) => this.read(n, w.key)));
    }
  }

  private async read(node: NodeName, key: string): Promise<void> {
    const token = node === this.d.perfSecondary ? this.d.perfToken : this.d.rootToken;
    const invokedAt = this.clock();
    try {
      const r = await call(this.d.node(node).addr, 'GET', `secret/data/${key}`, { token, timeoutMs: WRITE_TIMEOUT_MS });
      if (r.status !== 200 && r.status !== 404) return;
      this.h.reads.push({ key, node, invokedAt, completedAt: this.clock(), value: r.status === 200 ? String(r.body?.data?.data?.v) : null });
    } catch {
      /* no answer: not a read */
    }
  }

  /** Hold forwarded writes (while the performance secondary is re-pointed) and wait for the one in flight. */
  async pauseForwarding(): Promise<void> {
    this.forwardPaused = true;
    await this.forwardInFlight;
  }

  resumeForwarding(): void {
    this.forwardPaused = false;
  }

  /** Stop every writer and wait for what is in flight (so merkle roots can settle); resume() starts them again. */
  async quiesce(): Promise<void> {
    this.quiet = true;
    await Promise.all([...this.inFlight]);
  }

  resume(): void {
    this.quiet = false;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

import type { HaWorld } from './ha-world';
import type { History, NodeName, WriteOp } from './history';
import { call, sleep } from './http';

// The clients of an HA chaos run: one writer pinned to each node (a standby
// forwards to the active, with read-your-writes) and one that aims at the
// node last seen active, so many writes land on the active itself and can be
// tied to its term. Each key is written once with a unique value. In the
// history a write's `via` and `primary` are the node that answered it (the
// checker learns from that node's sys/leader samples whether it was the
// active, and in which term). Each acknowledged write is read back at once
// on the node that answered it: a standby answers a forwarded write only once
// it applied it (read-your-writes, ha-design.md 6), so a 404 there is a lost
// write caught in the act — unless the answer warned that it had not arrived
// yet; such a write is marked `forwarded` (the answer said so) and its reads
// are not judged.
//
// A writer does not wait for an answer that is slow to come (a write stuck on
// a frozen active would hide when the cluster takes writes again): after
// STUCK_MS it sends the next one beside it, up to MAX_OUTSTANDING at once, so
// the first acknowledgement after a fault says when the cluster recovered.
/** A standby holds a write up to 10 s while no active is reachable (FORWARD_FAILOVER_WAIT_MS), then forwards it. */
const WRITE_TIMEOUT_MS = 15_000;
const IDLE_MS = 50;
const STUCK_MS = 1_000;
/** forwardHttp's warning when read-your-writes timed out on the standby. */
const NOT_HERE_YET = /has not reached this standby yet/;
const MAX_OUTSTANDING = 8;

export class HaClients {
  private running = true;
  private quiet = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly loops: Promise<void>[];

  constructor(
    private readonly w: HaWorld,
    private readonly h: History,
    private readonly clock: () => number,
    pauseMs: number,
  ) {
    this.loops = [...w.names.map((n) => this.writer(`p-${n}`, pauseMs, () => n)), this.writer('act', pauseMs, () => w.lastActive)];
  }

  private async writer(client: string, pauseMs: number, target: () => NodeName): Promise<void> {
    let seq = 0;
    const outstanding = new Set<Promise<void>>();
    while (this.running) {
      const via = this.quiet ? '' : target();
      if (!via || this.w.run.get(via) === 'down') {
        await sleep(IDLE_MS);
        continue;
      }
      const op = this.write(client, seq++, via);
      outstanding.add(op);
      this.inFlight.add(op);
      void op.finally(() => {
        outstanding.delete(op);
        this.inFlight.delete(op);
      });
      await Promise.race([op, sleep(STUCK_MS)]);
      while (outstanding.size >= MAX_OUTSTANDING) await Promise.race(outstanding);
      await sleep(pauseMs);
    }
    await Promise.all([...outstanding]);
  }

  private async write(client: string, seq: number, via: NodeName): Promise<void> {
    const key = `chaos/${client}/${seq}`;
    const value = `${this.h.seed}:${client}:${seq}`;
    const op: WriteOp = { key, value, client, via, primary: via, forwarded: false, invokedAt: this.clock(), completedAt: 0, outcome: 'unknown' };
    try {
      const r = await call(this.w.addr(via), 'POST', `secret/data/${key}`, { token: this.w.rootToken, body: { data: { v: value } }, timeoutMs: WRITE_TIMEOUT_MS });
      op.outcome = r.status >= 200 && r.status < 300 ? 'ok' : 'fail';
      if (op.outcome === 'fail') op.detail = `${r.status} ${JSON.stringify(r.body?.errors ?? r.body).slice(0, 200)}`;
      const warnings: unknown[] = Array.isArray(r.body?.warnings) ? r.body.warnings : [];
      if (op.outcome === 'ok' && warnings.some((x) => NOT_HERE_YET.test(String(x)))) [op.forwarded, op.detail] = [true, 'warned: not applied on this standby yet'];
    } catch (err) {
      op.detail = (err as Error).message;
    }
    op.completedAt = this.clock();
    this.h.writes.push(op);
    if (op.outcome === 'ok') await this.readBack(via, key);
    // A refused connection (a node restarting) answers at once: do not spin on it.
    else await sleep(IDLE_MS);
  }

  private async readBack(node: NodeName, key: string): Promise<void> {
    const invokedAt = this.clock();
    try {
      const r = await call(this.w.addr(node), 'GET', `secret/data/${key}`, { token: this.w.rootToken, timeoutMs: WRITE_TIMEOUT_MS });
      if (r.status !== 200 && r.status !== 404) return;
      this.h.reads.push({ key, node, invokedAt, completedAt: this.clock(), value: r.status === 200 ? String(r.body?.data?.data?.v) : null });
    } catch {
      /* no answer: not a read */
    }
  }

  /** Stop sending and wait for what is in flight (so the roots can settle); resume() starts again. */
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

import type { HaDrSecondary } from './ha-dr';
import type { HaFault } from './ha-history';
import type { HaWorld } from './ha-world';
import type { History } from './history';
import { sleep, until } from './http';
import { describeFault, HA_KINDS, type Fault, type HaFaultKind } from './schedule';

// Injects the schedule's faults on whichever node is the HA cluster's active
// when the fault begins: kill -9 (restarted on its data after f.ms), SIGSTOP
// (past the lease, then SIGCONT), cut off from etcd (proxy paused, then
// resumed), or sys/step-down (sent to the active or through a standby). After
// giving the node back it waits for recovery — every running node naming one
// and the same active, which says so itself, and the hit node serving again —
// and records each time for the checker. With a DR secondary, it then waits
// for that to stream new records again (from whichever node is active now).
/** An agreed active before a fault; a loaded box may still be settling the previous one. */
const ACTIVE_WAIT_MS = 60_000;
/** Recovery must come within this (checked by check-ha.ts against its own limit; waiting longer only says how long). */
export const RECOVERY_WAIT_MS = 60_000;
const DR_FOLLOW_WAIT_MS = 60_000;

export class HaNemesis {
  constructor(
    private readonly w: HaWorld,
    private readonly h: History,
    private readonly clock: () => number,
    private readonly log: (line: string) => void,
    private readonly dr?: HaDrSecondary,
  ) {}

  async run(schedule: Fault[]): Promise<void> {
    for (const [i, f] of schedule.entries()) {
      const startedAt = this.clock();
      let detail: string;
      try {
        detail = await this.inject(i + 1, f);
      } catch (err) {
        const msg = (err as Error).message.split('\n').filter(Boolean).slice(0, 4).join(' | ');
        detail = `FAILED: ${msg}`;
        this.h.driverErrors.push(`fault ${i + 1} (${describeFault(f)}): ${msg}`);
      }
      this.h.faults.push({ n: i + 1, kind: f.kind, target: detail.split(' ')[0], detail, startedAt, endedAt: this.clock() });
      this.log(`  fault ${String(i + 1).padStart(3)} +${String(startedAt).padStart(6)} ms  ${describeFault(f)}: ${detail}`);
      await sleep(f.gapMs);
    }
  }

  private async inject(n: number, f: Fault): Promise<string> {
    if (!HA_KINDS.includes(f.kind as HaFaultKind)) return `- skipped: ${f.kind} is not a fault of the HA world`;
    const w = this.w;
    const node = await until('an active every node agrees on', () => w.agreedActive(), ACTIVE_WAIT_MS, 100);
    const rec: HaFault = { n, kind: f.kind as HaFaultKind, node, startedAt: this.clock() };
    this.h.ha!.faults.push(rec);
    let how = '';
    switch (rec.kind) {
      case 'kill-active':
        await w.kill(node);
        await sleep(f.ms);
        await w.restart(node);
        how = `${node} killed, back (unsealed) after ${this.clock() - rec.startedAt} ms`;
        break;
      case 'freeze-active':
        w.freeze(node);
        await sleep(f.ms);
        w.thaw(node);
        how = `${node} frozen`;
        break;
      case 'partition-active':
        w.cut(node);
        await sleep(f.ms);
        w.reconnect(node);
        how = `${node} cut off from etcd`;
        break;
      case 'step-down': {
        const standbys = w.up().filter((x) => x !== node);
        const via = f.pick % 2 && standbys.length ? standbys[f.pick % standbys.length] : node;
        await w.stepDown(via);
        how = `${node} stepped down (asked through ${via}), answered after ${this.clock() - rec.startedAt} ms`;
        break;
      }
    }
    rec.restoredAt = this.clock();
    const after = await until(
      `one agreed active with ${node} serving again`,
      async () => {
        const a = await w.agreedActive();
        return a && (await w.serving(node)) ? a : null;
      },
      RECOVERY_WAIT_MS,
      100,
    ).catch(() => null);
    if (!after) return `${how}; NO recovery within ${RECOVERY_WAIT_MS} ms`;
    rec.recoveredAt = this.clock();
    rec.activeAfter = after;
    const agreed = `${how}; active ${after}${after === node ? ' (kept its role)' : ''}, agreed ${rec.recoveredAt - rec.restoredAt} ms after`;
    if (!this.dr) return agreed;
    const base = Number((await this.dr.status())?.last_remote_wal ?? 0);
    const streaming = await until('the DR secondary to stream new records', async () => (await this.dr!.streamingAt()) > base, DR_FOLLOW_WAIT_MS, 100).catch(() => false);
    if (!streaming) return `${agreed}; the DR secondary did NOT stream again within ${DR_FOLLOW_WAIT_MS} ms`;
    rec.drStreamingAt = this.clock();
    return `${agreed}; DR secondary streaming again ${rec.drStreamingAt - rec.recoveredAt} ms after that`;
  }
}

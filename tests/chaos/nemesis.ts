import type { Clients } from './clients';
import type { ClusterDriver } from './cluster-driver';
import { recordPartition, type History, type NodeName } from './history';
import { sleep } from './http';
import { describeFault, HA_KINDS, type Fault, type HaFaultKind } from './schedule';
import { failover } from './failover';

// Injects the schedule's faults one after another, with quiet gaps, and
// records each one (and each silence it causes: who could not be heard, by
// whom, from when to when) in the history. A fault that cannot be applied in
// the current topology (no DR secondary left to promote) is skipped and said.
export class Nemesis {
  constructor(
    private readonly d: ClusterDriver,
    private readonly clients: Clients,
    private readonly h: History,
    private readonly clock: () => number,
    private readonly log: (line: string) => void,
  ) {}

  async run(schedule: Fault[], shouldStop: () => boolean = () => false): Promise<void> {
    for (const [i, f] of schedule.entries()) {
      if (shouldStop()) break;
      const startedAt = this.clock();
      let detail = '';
      try {
        detail = await this.inject(i + 1, f);
      } catch (err) {
        // A server that will not start prints a stack: its first lines say enough (the node's log has the rest).
        const msg = (err as Error).message.split('\n').filter(Boolean).slice(0, 4).join(' | ');
        detail = `FAILED: ${msg}`;
        this.h.driverErrors.push(`fault ${i + 1} (${describeFault(f)}): ${msg}`);
      }
      const ev = { n: i + 1, kind: f.kind, target: detail.split(' ')[0], detail, startedAt, endedAt: this.clock() };
      this.h.faults.push(ev);
      this.log(`  fault ${String(ev.n).padStart(3)} +${String(startedAt).padStart(6)} ms  ${describeFault(f)}: ${detail}`);
      await sleep(f.gapMs);
    }
  }

  private target(f: Fault): NodeName | null {
    if (f.role === 'primary') return this.d.primary;
    if (f.role === 'perf') return this.d.perfSecondary;
    return this.d.drSecondaries.length ? this.d.drSecondaries[f.pick % this.d.drSecondaries.length] : null;
  }

  private async inject(n: number, f: Fault): Promise<string> {
    const d = this.d;
    if (HA_KINDS.includes(f.kind as HaFaultKind)) return '- skipped: faults on an HA active need an HA world (--ha, ha-nemesis.ts)';
    if (f.kind === 'failover') return failover(d, this.clients, this.h, this.clock, n, f);
    if (f.kind === 'cut' || f.kind === 'stall' || f.kind === 'delay') {
      const p = d.node(d.primary);
      const proxy = p.proxies[f.mode];
      if (f.kind === 'cut') return `${p.name} ${f.mode}: ${proxy.cutAll()} connections reset`;
      const through = await d.followersThroughProxy(p.name, f.mode);
      const from = this.clock();
      if (f.kind === 'delay') proxy.setLatency(f.latencyMs);
      else proxy.pause();
      await sleep(f.ms);
      if (f.kind === 'delay') proxy.setLatency(0);
      else {
        proxy.resume();
        recordPartition(this.h, p.name, f.mode, through, from, this.clock(), `${p.name}'s ${f.mode} proxy stalled`);
      }
      return `${p.name} ${f.mode} (through the proxy: ${through.join(', ') || 'none'})`;
    }
    const name = this.target(f);
    if (!name) return `- skipped: no ${f.role} in the current topology`;
    const node = d.node(name);
    if (f.kind === 'recover') {
      await d.recover(name);
      return `${name}`;
    }
    const from = this.clock();
    if (f.kind === 'kill') {
      await node.kill();
      await sleep(f.ms);
      const to = this.clock();
      this.h.silences.push({ peer: name, from, to, cause: `${name} killed` });
      await node.restart(d.unsealKey);
      return `${name} back after ${this.clock() - from} ms`;
    }
    node.freeze();
    await sleep(f.ms);
    node.thaw();
    this.h.silences.push({ peer: name, from, to: this.clock(), cause: `${name} frozen (SIGSTOP)` });
    return `${name}`;
  }
}

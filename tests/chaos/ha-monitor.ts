import type { HaRecord, HaSample } from './ha-history';
import type { HaWorld } from './ha-world';
import type { NodeName } from './history';
import { sleep } from './http';

// Samples every HA node's sys/leader all through the run, one request in
// flight per node (so a node's samples are ordered in time: the term check
// relies on it). A frozen or killed node yields none; a node cut off from etcd
// still answers, and its answers are what the fencing checks read.
export const HA_SAMPLE_EVERY_MS = 150;

export class HaMonitor {
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(
    private readonly w: HaWorld,
    private readonly rec: HaRecord,
    private readonly clock: () => number,
  ) {
    this.loops = w.names.map((n) => this.loop(n));
  }

  private async sample(node: NodeName): Promise<void> {
    if (this.w.run.get(node) !== 'up') return;
    const sentAt = this.clock();
    const l = await this.w.leader(node);
    if (!l) return;
    const s: HaSample = {
      node,
      sentAt,
      receivedAt: this.clock(),
      isSelf: l.is_self === true,
      activeTime: l.is_self ? String(l.active_time) : '',
      leader: l.is_self ? node : this.w.nameOfAddr(String(l.leader_address ?? '')),
      committed: Number(l.raft_committed_index ?? 0),
      applied: Number(l.raft_applied_index ?? 0),
    };
    this.rec.samples.push(s);
    if (s.isSelf) this.w.lastActive = node;
  }

  private async loop(node: NodeName): Promise<void> {
    while (this.running) {
      await this.sample(node);
      await sleep(HA_SAMPLE_EVERY_MS);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

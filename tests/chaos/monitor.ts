import type { ClusterDriver } from './cluster-driver';
import type { History, LinkView, Mode, ModeView, NodeName, StatusSample } from './history';
import { call, sleep } from './http';

// Samples every node's replication status all through the run (one request
// in flight per node, so a node's samples are ordered) and records, for each
// mode, its role, epoch, merkle root and which links it calls healthy, with
// peers resolved to node names. The checker reads epochs and link health off
// these samples; a frozen node yields none.
export const SAMPLE_EVERY_MS = 200;
const SAMPLE_TIMEOUT_MS = 2_000;

export function modeView(raw: Record<string, any> | undefined, d: ClusterDriver): ModeView {
  if (!raw || raw.mode === undefined) return { mode: 'unknown', epoch: 0, links: [] };
  const links: LinkView[] = [];
  if (raw.mode === 'secondary' && raw.primary_cluster_addr) {
    links.push({ peer: d.nodeOfAddr(raw.primary_cluster_addr), healthy: raw.connection_state === 'ready' });
  }
  if (raw.mode === 'primary') {
    for (const s of (raw.secondaries ?? []) as { node_id: string; connection_status: string }[]) {
      links.push({ peer: d.nodeOfId(s.node_id), healthy: s.connection_status === 'connected' });
    }
  }
  return {
    mode: raw.mode,
    epoch: Number(raw.epoch ?? 0),
    state: raw.state,
    supersededBy: raw.superseded_by || undefined,
    merkleRoot: raw.merkle_root,
    links: links.filter((l) => l.peer),
  };
}

export class Monitor {
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly d: ClusterDriver,
    private readonly h: History,
    private readonly clock: () => number,
  ) {
    for (const name of d.nodes.keys()) this.loops.push(this.loop(name));
  }

  private async sample(name: NodeName): Promise<StatusSample | null> {
    const n = this.d.node(name);
    if (n.run !== 'up') return null;
    const sentAt = this.clock();
    try {
      const r = await call(n.addr, 'GET', 'sys/replication/status', { timeoutMs: SAMPLE_TIMEOUT_MS });
      if (r.status !== 200) return null;
      const s: StatusSample = {
        node: name,
        sentAt,
        receivedAt: this.clock(),
        modes: { dr: modeView(r.body.data?.dr, this.d), performance: modeView(r.body.data?.performance, this.d) } as Record<Mode, ModeView>,
      };
      this.h.samples.push(s);
      return s;
    } catch {
      return null;
    }
  }

  private async loop(name: NodeName): Promise<void> {
    while (this.running) {
      await this.sample(name);
      await sleep(SAMPLE_EVERY_MS);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

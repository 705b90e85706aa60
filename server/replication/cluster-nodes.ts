import type { HaView } from '../ha/ha-slot';
import type { Logger } from '../log';
import { cleanAddrs } from './primary-dial-plan';

// The cluster addresses of this cluster's nodes, as a primary tells its
// secondaries (Vault's known_primary_cluster_addrs, which Vault refreshes about
// every 10 s): without HA, this node alone; with HA, every node the HA
// registry lists as alive, this one included. Kept in memory and refreshed in
// the background, so heartbeats read it without waiting on etcd.

export const CLUSTER_NODES_REFRESH_MS = 5_000;

export class ClusterNodes {
  private addrs: string[];
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly self: string,
    private readonly ha: () => HaView | null,
    private readonly logger: Logger,
  ) {
    this.addrs = [self];
  }

  /** Sorted, this node included; never empty. */
  current(): string[] {
    return this.addrs;
  }

  /** The active node's cluster address as this node sees it ('' while none is); this node without HA. */
  activeAddr(): string {
    const rt = this.ha();
    return rt ? rt.leaderStatus().leader_cluster_address : this.self;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.refresh();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  private async refresh(): Promise<void> {
    const rt = this.ha();
    if (rt) {
      try {
        const listed = (await rt.nodes()).map((n) => n.cluster_address);
        this.addrs = cleanAddrs([...listed, this.self]).sort();
      } catch (err) {
        this.logger.debug({ err: (err as Error).message }, 'could not list the cluster nodes; keeping the last list');
      }
    }
    clearTimeout(this.timer);
    if (this.running) this.timer = setTimeout(() => void this.refresh(), CLUSTER_NODES_REFRESH_MS).unref();
  }
}

/** What one primary link tells its secondary: the node list in its hello-ack, then only when it changes (on a heartbeat). */
export class NodeListOnLink {
  private sent = '';

  constructor(private readonly list: () => string[]) {}

  /** For the hello-ack: the list, or nothing when there is none to tell. */
  first(): { clusterAddrs?: string[] } {
    const addrs = this.list();
    this.sent = addrs.join(',');
    return addrs.length ? { clusterAddrs: addrs } : {};
  }

  /** For a heartbeat: the list if it changed since this link last carried it. */
  changed(): { clusterAddrs?: string[] } {
    const addrs = this.list();
    if (addrs.join(',') === this.sent) return {};
    this.sent = addrs.join(',');
    return { clusterAddrs: addrs };
  }
}

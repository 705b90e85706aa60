import type { FeedHaNode } from '../../lib/types/replication-feed';
import { haNodesOf, type HaEcho } from '../../lib/ha-nodes';
import type { Logger } from '../log';
import type { EtcdClient } from './etcd-client';
import { ECHO_INTERVAL_MS, type NodeRegistry } from './ha-registry';
import { listNodes } from './raft-registry';

// The status feed's HA nodes (lib/types/replication-feed.ts FeedHaNode) on one
// node: every node of the cluster with its state, so the console and the wall
// see a failover, a sealed standby or a node gone without asking each node.
// Cheap by construction: the active node and this node's own role are known
// at once (the leader watch, the runtime); the other nodes' echoes and the
// membership are two etcd range reads every ECHO_INTERVAL_MS, made only while
// the feed is read (someone subscribed), not while nobody watches.

/** Refresh the other nodes' echoes this often while the feed is read. */
export const FEED_NODES_REFRESH_MS = ECHO_INTERVAL_MS;
/** The feed reads the list at least every second while it has subscribers; after this long without a read, stop refreshing. */
export const FEED_NODES_DEMAND_MS = 5_000;

export interface HaFeedNodesOptions {
  client: EtcdClient;
  prefix: string;
  registry: NodeRegistry;
  /** This node, its role first-hand. */
  self(): HaEcho;
  /** The node the leader key names, null while no one holds it. */
  activeId(): string | null;
  /** Something the list is made of changed (echoes or membership read anew). */
  onChange(): void;
  logger: Logger;
}

export class HaFeedNodes {
  private members: { node_id: string; api_address: string }[] | null = null;
  private echoes: HaEcho[] = [];
  private lastRead = 0;
  private timer: NodeJS.Timeout | undefined;
  private refreshing = false;
  private again = false;
  private closed = false;
  private readonly log: Logger;

  constructor(private readonly o: HaFeedNodesOptions) {
    this.log = o.logger.child({ component: 'ha.feed-nodes' });
  }

  /** The list as of now; reading it keeps the refresh going (the first read after a quiet spell starts it). */
  current(): FeedHaNode[] {
    this.lastRead = Date.now();
    if (!this.timer && !this.refreshing && !this.closed) void this.refresh();
    return haNodesOf({ members: this.members, echoes: this.echoes, activeId: this.o.activeId(), self: this.o.self() });
  }

  /** Read the echoes and the membership again soon (a role or leader change: the others' echoes follow). */
  poke(): void {
    if (this.closed || Date.now() - this.lastRead > FEED_NODES_DEMAND_MS) return;
    if (this.refreshing) {
      this.again = true; // the read in flight may predate the change
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 0);
  }

  private async refresh(): Promise<void> {
    this.timer = undefined;
    this.refreshing = true;
    try {
      const [echoes, members] = await Promise.all([this.o.registry.list(), listNodes(this.o.client, this.o.prefix)]);
      const next = { echoes: echoes.map((r): HaEcho => ({ node_id: r.node_id, api_address: r.api_address, role: r.role })), members: members.map((m) => ({ node_id: m.node_id, api_address: m.api_addr })) };
      const changed = JSON.stringify(next) !== JSON.stringify({ echoes: this.echoes, members: this.members ?? [] });
      this.echoes = next.echoes;
      this.members = next.members;
      if (changed) this.o.onChange();
    } catch (err) {
      // etcd unreachable: keep the last list; the leader watch and this node's own role still move it.
      this.log.debug({ err: (err as Error).message }, 'could not read the HA nodes');
    } finally {
      this.refreshing = false;
    }
    const again = this.again;
    this.again = false;
    if (!this.closed && Date.now() - this.lastRead <= FEED_NODES_DEMAND_MS) this.timer = setTimeout(() => void this.refresh(), again ? 0 : FEED_NODES_REFRESH_MS);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }
}

import { hostname } from 'node:os';
import type { Logger } from '../log';
import { VERSION } from '../core/seal-manager';
import type { EtcdClient } from './etcd-client';
import type { HaNodeStatus, HaRole } from './ha-slot';
import { prefixEnd } from './etcd-wire';

// Every node of an HA cluster says it is alive under `P nodes/<node id>`: its
// addresses and the time of its last echo, on a lease of its own so a dead
// node's entry goes away by itself. sys/ha-status and `operator members` list
// these (Vault lists the nodes the active has heard from; here every node reads
// the same list from etcd, so any node can answer).

export const ECHO_INTERVAL_MS = 2_000;
/** A node missing this many echoes drops out of the list. */
const REGISTRY_TTL_SECONDS = 10;
/** A standby whose echo has not gone through for as long as its entry lives is not healthy (sys/health haunhealthycode, 474). */
export const ECHO_UNHEALTHY_AFTER_MS = REGISTRY_TTL_SECONDS * 1000;

export interface NodeRecord {
  node_id: string;
  hostname: string;
  api_address: string;
  cluster_address: string;
  version: string;
  /** ISO time of this echo (the writer's clock). */
  last_echo: string;
  /** The node's role when it echoed, so every node can tell a sealed standby (the status feed's HA nodes). */
  role?: HaRole;
}

export const nodesPrefix = (prefix: string) => `${prefix}nodes/`;

export class NodeRegistry {
  private lease = 0n;
  private timer: NodeJS.Timeout | undefined;
  /** When the last echo went through (Date.now()); the start time until the first one does. */
  private lastOk = Date.now();
  private closed = false;
  private echoing = false;
  private echoAgain = false;
  private readonly log: Logger;

  constructor(
    private readonly client: EtcdClient,
    private readonly prefix: string,
    private readonly self: { nodeId: string; apiAddr: string; clusterAddr: string; role?: () => HaRole },
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'ha.registry' });
  }

  start(): void {
    void this.echo();
  }

  /** Echo now, not at the next tick: the role changed, and the other nodes' feeds should say so at once. */
  echoNow(): void {
    if (this.closed) return;
    if (this.echoing) {
      this.echoAgain = true;
      return;
    }
    clearTimeout(this.timer);
    void this.echo();
  }

  private async echo(): Promise<void> {
    if (this.closed) return;
    this.echoing = true;
    try {
      if (!this.lease) this.lease = (await this.client.leaseGrant(REGISTRY_TTL_SECONDS)).id;
      else await this.client.leaseKeepAlive(this.lease);
      const rec: NodeRecord = {
        node_id: this.self.nodeId,
        hostname: hostname(),
        api_address: this.self.apiAddr,
        cluster_address: this.self.clusterAddr,
        version: VERSION,
        last_echo: new Date().toISOString(),
        role: this.self.role?.(),
      };
      await this.client.put(nodesPrefix(this.prefix) + this.self.nodeId, JSON.stringify(rec), { lease: this.lease });
      this.lastOk = Date.now();
    } catch (err) {
      this.lease = 0n; // expired or unreachable: start over with a fresh lease
      this.log.debug({ err: (err as Error).message }, 'echo failed; retrying');
    }
    this.echoing = false;
    const again = this.echoAgain;
    this.echoAgain = false;
    if (!this.closed) this.timer = setTimeout(() => void this.echo(), again ? 0 : ECHO_INTERVAL_MS);
  }

  /** ms since this node's last echo went through: its heartbeat to the cluster (Vault's request-forwarding heartbeat). */
  sinceLastEcho(): number {
    return Date.now() - this.lastOk;
  }

  async list(): Promise<NodeRecord[]> {
    const start = nodesPrefix(this.prefix);
    const r = await this.client.range(start, { rangeEnd: prefixEnd(start) });
    return r.kvs.map((kv) => JSON.parse(kv.value.toString('utf8')) as NodeRecord);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.lease) await this.client.leaseRevoke(this.lease).catch(() => undefined);
  }
}

export function nodeStatus(rec: NodeRecord, activeNodeId: string | null): HaNodeStatus {
  const active = rec.node_id === activeNodeId;
  return {
    // The node id, not the OS host name: several nodes may share a machine (tests, the lab).
    hostname: rec.node_id,
    api_address: rec.api_address,
    cluster_address: rec.cluster_address,
    active_node: active,
    // Vault shows no echo for the active node itself.
    last_echo: active ? null : rec.last_echo,
    echo_duration_ms: 0,
    clock_skew_ms: 0,
    version: rec.version,
    replication_primary_canary_age_ms: 0,
  };
}

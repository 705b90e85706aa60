import type { EtcdClient } from './etcd-client';
import { EtcdError } from './etcd-error';
import type { Logger } from '../log';

// What the peers table and autopilot need beyond etcd's member list, kept in
// etcd under the HA prefix: each node's Coffer addresses (written by whoever
// admits it; Vault lists a peer by its cluster address, not etcd's peer URL),
// and a heartbeat per running node on a lease, so a node that stops is
// reported as left within the lease's TTL without anyone probing it.

export const NODES_DIR = 'raft/nodes/';
export const ALIVE_DIR = 'raft/alive/';
export const HEARTBEAT_MS = 2_000;
export const HEARTBEAT_TTL_S = 10;

export interface NodeRecord {
  node_id: string;
  api_addr: string;
  cluster_addr: string;
  peer_url: string;
}

export interface AliveRecord {
  node_id: string;
  raft_index: number;
  raft_term: number;
  /** ms since epoch of this beat, and of the first beat of this run (stable_since). */
  at: number;
  since: number;
}

export async function putNode(client: EtcdClient, prefix: string, rec: NodeRecord): Promise<void> {
  await client.put(prefix + NODES_DIR + rec.node_id, JSON.stringify(rec));
}

export async function deleteNode(client: EtcdClient, prefix: string, nodeId: string): Promise<void> {
  await client.deleteRange(prefix + NODES_DIR + nodeId);
  await client.deleteRange(prefix + ALIVE_DIR + nodeId);
}

async function listJson<T>(client: EtcdClient, key: string): Promise<T[]> {
  const r = await client.range(key, { prefix: true });
  const out: T[] = [];
  for (const kv of r.kvs) {
    try {
      out.push(JSON.parse(kv.value.toString()) as T);
    } catch {
      // not ours: skip
    }
  }
  return out;
}

export const listNodes = (client: EtcdClient, prefix: string) => listJson<NodeRecord>(client, prefix + NODES_DIR);
export const listAlive = (client: EtcdClient, prefix: string) => listJson<AliveRecord>(client, prefix + ALIVE_DIR);

/** Beats every HEARTBEAT_MS until the returned stop is called. */
export function startHeartbeat(client: EtcdClient, prefix: string, nodeId: string, logger: Logger): () => void {
  let stopped = false;
  let lease = 0n;
  let timer: NodeJS.Timeout | undefined;
  const since = Date.now();
  const beat = async () => {
    try {
      if (lease === 0n) lease = (await client.leaseGrant(HEARTBEAT_TTL_S)).id;
      else await client.leaseKeepAlive(lease);
      const s = await client.status();
      const rec: AliveRecord = { node_id: nodeId, raft_index: s.raftIndex, raft_term: s.raftTerm, at: Date.now(), since };
      await client.put(prefix + ALIVE_DIR + nodeId, JSON.stringify(rec), { lease });
    } catch (err) {
      if (err instanceof EtcdError && err.code === 'lease_not_found') lease = 0n;
      logger.debug({ err }, 'raft heartbeat failed');
    }
    if (!stopped) timer = setTimeout(() => void beat(), HEARTBEAT_MS);
  };
  void beat();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (lease !== 0n) void client.leaseRevoke(lease).catch(() => undefined);
  };
}

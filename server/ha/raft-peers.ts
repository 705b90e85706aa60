import type { EtcdClient, Member } from './etcd-client';
import { listAlive, listNodes, type AliveRecord, type NodeRecord } from './raft-registry';

// sys/storage/raft/configuration and …/autopilot/state of a cluster on etcd,
// in Vault's shapes: servers from etcd's member list, named by node_id, listed
// at their cluster address; "leader" is the active node (etcd's raft leader
// when the active is not known yet). Autopilot health comes from the
// heartbeats each node keeps on a lease (raft-registry.ts).

export const PROTOCOL_VERSION = '3';
/** A follower this far behind the leader's raft index, or silent this long, is unhealthy (Vault's max_trailing_logs / last_contact_threshold). */
export const MAX_TRAILING_INDEX = 1_000;
export const LAST_CONTACT_THRESHOLD_MS = 10_000;

export interface PeerServer {
  node_id: string;
  address: string;
  leader: boolean;
  voter: boolean;
  protocol_version: string;
}

export interface AutopilotServer {
  id: string;
  name: string;
  address: string;
  node_status: 'alive' | 'left';
  last_contact: string;
  last_term: number;
  last_index: number;
  healthy: boolean;
  stable_since: string;
  status: 'leader' | 'voter' | 'non-voter';
  node_type: 'voter' | 'non-voter';
  version: string;
  meta: null;
}

export interface AutopilotState {
  healthy: boolean;
  failure_tolerance: number;
  optimistic_failure_tolerance: number;
  leader: string;
  voters: string[];
  non_voters: string[] | null;
  servers: Record<string, AutopilotServer>;
}

/** "https://127.0.0.1:8201" → "127.0.0.1:8201", the form Vault lists peers in. */
export function hostPort(addr: string): string {
  try {
    return new URL(addr).host;
  } catch {
    return addr;
  }
}

interface View {
  members: Member[];
  nodes: Map<string, NodeRecord>;
  alive: Map<string, AliveRecord>;
  leader: string;
  index: number;
  term: number;
}

function nameOf(m: Member, nodes: Map<string, NodeRecord>): string {
  if (m.name) return m.name;
  // Added but not started yet: etcd knows only its peer URL.
  for (const n of nodes.values()) if (m.peerUrls.includes(n.peer_url)) return n.node_id;
  return m.peerUrls[0] ?? m.id.toString(16);
}

/** Who is active, as the HA runtime knows it (its API address); unknown: etcd's raft leader stands in. */
export interface ActiveNode {
  apiAddr?: string;
}

async function view(client: EtcdClient, prefix: string, active: ActiveNode = {}): Promise<View> {
  const [members, nodeList, aliveList, status] = await Promise.all([client.memberList(), listNodes(client, prefix), listAlive(client, prefix), client.status()]);
  const nodes = new Map(nodeList.map((n) => [n.node_id, n]));
  const alive = new Map(aliveList.map((a) => [a.node_id, a]));
  const raftLeader = members.find((m) => m.id === status.leader);
  const activeId = active.apiAddr ? nodeList.find((n) => n.api_addr === active.apiAddr)?.node_id : undefined;
  const leader = activeId ?? (raftLeader ? nameOf(raftLeader, nodes) : '');
  return { members, nodes, alive, leader, index: status.raftIndex, term: status.raftTerm };
}

export async function peerConfiguration(client: EtcdClient, prefix: string, active?: ActiveNode): Promise<{ servers: PeerServer[]; index: number }> {
  const v = await view(client, prefix, active);
  const servers = v.members.map((m) => {
    const name = nameOf(m, v.nodes);
    const rec = v.nodes.get(name);
    return { node_id: name, address: rec ? hostPort(rec.cluster_addr) : hostPort(m.peerUrls[0] ?? ''), leader: name === v.leader, voter: !m.isLearner, protocol_version: PROTOCOL_VERSION };
  });
  servers.sort((a, b) => Number(b.leader) - Number(a.leader) || a.node_id.localeCompare(b.node_id));
  return { servers, index: v.index };
}

export async function autopilotState(client: EtcdClient, prefix: string, version: string, active?: ActiveNode, now = Date.now()): Promise<AutopilotState> {
  const v = await view(client, prefix, active);
  const servers: Record<string, AutopilotServer> = {};
  const voters: string[] = [];
  const nonVoters: string[] = [];
  for (const m of v.members) {
    const name = nameOf(m, v.nodes);
    const rec = v.nodes.get(name);
    const beat = v.alive.get(name);
    const contactMs = beat ? Math.max(0, now - beat.at) : Infinity;
    const healthy = beat !== undefined && contactMs < LAST_CONTACT_THRESHOLD_MS && v.index - beat.raft_index <= MAX_TRAILING_INDEX;
    const voter = !m.isLearner;
    (voter ? voters : nonVoters).push(name);
    servers[name] = {
      id: name,
      name,
      address: rec ? hostPort(rec.cluster_addr) : hostPort(m.peerUrls[0] ?? ''),
      node_status: beat ? 'alive' : 'left',
      last_contact: name === v.leader ? '0s' : beat ? `${contactMs}ms` : '',
      last_term: beat?.raft_term ?? 0,
      last_index: beat?.raft_index ?? 0,
      healthy,
      stable_since: beat ? new Date(beat.since).toISOString() : '0001-01-01T00:00:00Z',
      status: name === v.leader ? 'leader' : voter ? 'voter' : 'non-voter',
      node_type: voter ? 'voter' : 'non-voter',
      version,
      meta: null,
    };
  }
  voters.sort();
  const healthyVoters = voters.filter((n) => servers[n].healthy).length;
  const quorum = Math.floor(voters.length / 2) + 1;
  return {
    healthy: Object.values(servers).every((s) => s.healthy),
    failure_tolerance: Math.max(0, healthyVoters - quorum),
    optimistic_failure_tolerance: Math.max(0, voters.length - quorum),
    leader: v.leader,
    voters,
    non_voters: nonVoters.length ? nonVoters.sort() : null,
    servers,
  };
}

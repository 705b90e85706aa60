import type { NodeName } from './history';
import type { HaFaultKind } from './schedule';

// What a chaos run on an HA cluster records beside the common history
// (writes, readbacks, convergence): each node's own view of the HA roles,
// sampled all through the run, and each fault on the active with the times
// the checker judges recovery by. Plain data, so every invariant can be
// tested on hand-built histories. Times: ms since the run started.

/** One answer of a node's sys/leader. */
export interface HaSample {
  node: NodeName;
  sentAt: number;
  receivedAt: number;
  /** is_self: the node says it is the active. */
  isSelf: boolean;
  /** active_time: when its current term began ('' unless active); with the node, it names the term. */
  activeTime: string;
  /** The node its leader_address names ('' if none or unknown). */
  leader: NodeName;
  committed: number;
  applied: number;
}

export interface HaFault {
  n: number;
  kind: HaFaultKind;
  /** The active the fault hit (the node that was active when it began). */
  node: NodeName;
  startedAt: number;
  /** When the node was given back: restarted and unsealed, thawed, reconnected to etcd, or the step-down answered. */
  restoredAt?: number;
  /** When, after that, every running node named one and the same active and the hit node served again (unsealed). */
  recoveredAt?: number;
  /** The active after recovery. */
  activeAfter?: NodeName;
  /** With a DR secondary: when, after recovery, it streamed new records again (from whichever node is active now). */
  drStreamingAt?: number;
}

/** One answer of the DR secondary's sys/replication/dr/status. */
export interface HaDrSample {
  sentAt: number;
  receivedAt: number;
  state: string;
  /** connection_state ready: it calls its link healthy. */
  ready: boolean;
  /** The HA node its primary_cluster_addr names ('' if none of them). */
  peer: NodeName;
  lastRemoteWal: number;
}

/** The DR secondary that follows the HA cluster (a single node). */
export interface HaDrRecord {
  node: NodeName;
  samples: HaDrSample[];
  /** Merkle syncs it ran after set-up: a failover must not need one (issue 9 item 5). */
  merkleSyncs: number;
  /** Its DR merkle root at the end ('' if it did not answer). */
  root: string;
}

/** The HA cluster's part of a history. */
export interface HaRecord {
  /** Its nodes, in order. */
  nodes: NodeName[];
  samples: HaSample[];
  faults: HaFault[];
  /** Each node's DR merkle root and applied HA log seq once converged at the end ('' when it did not answer). */
  roots: { node: NodeName; root: string; applied: number }[];
  dr?: HaDrRecord;
}

export function emptyHaRecord(nodes: NodeName[] = []): HaRecord {
  return { nodes, samples: [], faults: [], roots: [] };
}

/** A term of office: the node and its active_time. */
export const termOf = (s: Pick<HaSample, 'node' | 'activeTime'>) => `${s.node}@${s.activeTime}`;

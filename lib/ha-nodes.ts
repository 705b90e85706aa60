// The nodes of an HA cluster as the status feed carries them (lib/types/
// replication-feed.ts FeedHaNode): which node is active, which are standbys,
// sealed or down, from what etcd knows — the cluster's members, the echoes
// live nodes keep on a lease, and the leader key. Pure; relative imports only
// (the server builds the list with it, the console reads the table below).
import type { FeedHaNode, FeedHaState } from './types/replication-feed';

/** A node's own role as it echoes it (server/ha/ha-slot.ts HaRole). */
export type EchoRole = 'active' | 'promoting' | 'standby' | 'sealed';

export interface HaEcho {
  node_id: string;
  api_address: string;
  /** Absent from nodes that predate it: read as unsealed. */
  role?: EchoRole;
}

export interface HaNodesInput {
  /** The cluster's members (raft peers), kept while a node is down; null or empty: the members are the nodes that echo. */
  members: { node_id: string; api_address: string }[] | null;
  /** Nodes alive now: their echo is still on its lease. */
  echoes: HaEcho[];
  /** The node the leader key names; null while no one holds it. */
  activeId: string | null;
  /** This node, whose role is known first-hand (its echo may be a moment old). */
  self?: HaEcho;
}

const byName = new Intl.Collator('en', { numeric: true });

function stateOf(id: string, echo: HaEcho | undefined, activeId: string | null): FeedHaState {
  if (!echo) return 'down';
  // A sealed node never leads: a leader key it still holds is a term it is giving up.
  if (echo.role === 'sealed') return 'sealed';
  return id === activeId ? 'active' : 'standby';
}

/** One row per member (or echoing node), sorted by name (dallas-2 before dallas-10): at most one is active. */
export function haNodesOf(input: HaNodesInput): FeedHaNode[] {
  const echoes = new Map(input.echoes.map((e) => [e.node_id, e]));
  if (input.self) echoes.set(input.self.node_id, input.self);
  const members = input.members?.length ? input.members : [...echoes.values()];
  const seen = new Set<string>();
  const out: FeedHaNode[] = [];
  for (const m of members) {
    if (seen.has(m.node_id)) continue;
    seen.add(m.node_id);
    const echo = echoes.get(m.node_id);
    out.push({ node_id: m.node_id, api_address: m.api_address || echo?.api_address || '', state: stateOf(m.node_id, echo, input.activeId) });
  }
  return out.sort((a, b) => byName.compare(a.node_id, b.node_id));
}

export interface HaStateDisplay {
  label: string;
  /** Plain words for tooltips and screen readers. */
  meaning: string;
  tone: 'ok' | 'neutral' | 'error';
}

/** ONE table from a node's HA state to what the console and the wall show. */
export const HA_STATES: Record<FeedHaState, HaStateDisplay> = {
  active: { label: 'Active', meaning: 'Serves writes; standbys forward to it', tone: 'ok' },
  standby: { label: 'Standby', meaning: 'Serves reads and forwards writes to the active node', tone: 'neutral' },
  sealed: { label: 'Sealed', meaning: 'Sealed: serves nothing until unsealed', tone: 'error' },
  down: { label: 'Down', meaning: 'Not heard from: stopped, unreachable or cut off from etcd', tone: 'error' },
};

export function activeNodeOf(nodes: FeedHaNode[] | null | undefined): FeedHaNode | null {
  return nodes?.find((n) => n.state === 'active') ?? null;
}

/** "3 nodes", "3 nodes · 1 down · 1 sealed": what needs attention, after how many there are. */
export function haSummary(nodes: FeedHaNode[]): string {
  const count = (s: FeedHaState) => nodes.filter((n) => n.state === s).length;
  const parts = [`${nodes.length} node${nodes.length === 1 ? '' : 's'}`];
  if (!activeNodeOf(nodes)) parts.push('no active node');
  for (const s of ['down', 'sealed'] as const) if (count(s)) parts.push(`${count(s)} ${s}`);
  return parts.join(' · ');
}

/**
 * The node a wall tile dials next when the one it dialed stopped answering:
 * the next of the watched address and the cluster's other nodes not known to
 * be down, in turn (back to the watched one after the last).
 */
export function nextFeedAddr(current: string, watched: string, nodes: FeedHaNode[] | null | undefined): string {
  const addrs = [watched];
  for (const n of nodes ?? []) if (n.state !== 'down' && n.api_address && !addrs.includes(n.api_address)) addrs.push(n.api_address);
  const i = addrs.indexOf(current);
  return addrs[(i + 1) % addrs.length];
}

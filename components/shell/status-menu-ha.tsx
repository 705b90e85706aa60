'use client';
// The Status menu's high-availability lines, as Vault's status menu shows
// them on an HA cluster: whether this node is the active or a standby, and on
// a standby which node is active. Live from the status feed's nodes; sys/leader
// stands in until the feed has said (or on a server that predates it).
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { healthQuery } from '@/lib/api/cluster-status';
import { activeNodeLabel, haNodesQuery } from '@/lib/api/ha-nodes';
import { leaderQuery } from '@/lib/api/raft';
import { activeNodeOf, haSummary } from '@/lib/ha-nodes';

export function StatusMenuHa() {
  const headingId = useId();
  const health = useQuery(healthQuery());
  const nodes = useQuery(haNodesQuery()).data;
  const standby = health.data?.standby ?? false;
  // Only while the feed has not named the nodes: sys/leader is unauthenticated and says where the active is.
  const leader = useQuery({ ...leaderQuery(), enabled: nodes === undefined && standby });
  if (!nodes && !standby) return null;
  const active = activeNodeOf(nodes);
  const mode = health.data?.sealed ? 'Sealed' : standby ? (health.data?.performance_standby ? 'Performance standby' : 'Standby') : 'Active';
  const activeLabel = standby ? activeNodeLabel(active, leader.data?.leader_address) : null;
  return (
    <div role="group" aria-labelledby={headingId} className="px-4 py-3" data-testid="status-ha">
      <p id={headingId} className="text-xs font-semibold uppercase tracking-wide text-gray-500">
        High availability
      </p>
      <p className="mt-1 text-sm text-gray-800">
        This node: <span className="font-semibold">{mode}</span>
      </p>
      {standby ? (
        <p className="mt-1 text-sm text-gray-800">
          Active node: <span className="font-mono font-semibold">{activeLabel ?? 'none right now'}</span>
        </p>
      ) : null}
      {nodes ? <p className="mt-1 text-xs text-gray-500">{haSummary(nodes)}</p> : null}
    </div>
  );
}

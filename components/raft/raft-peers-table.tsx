'use client';
// Vault UI's Raft Storage peers: Node (the leader marked), Address, Voter,
// plus each node's HA state from the status feed, autopilot's health for each
// server, and a per-peer "Remove peer".
import { DataTable, type Column } from '@/components/ui/data-table';
import type { AutopilotState, RaftServer } from '@/lib/api/raft';
import { HA_STATES } from '@/lib/ha-nodes';
import type { FeedHaNode } from '@/lib/types/replication-feed';

interface RaftPeersTableProps {
  peers: RaftServer[];
  autopilot: AutopilotState | null | undefined;
  /** The status feed's nodes (undefined until its init, null on a single node). */
  haNodes: FeedHaNode[] | null | undefined;
  onRemove: (peer: RaftServer) => void;
}

const HA_TONE = { ok: 'bg-ok', neutral: 'bg-gray-400', error: 'bg-danger' } as const;

function HaState({ node }: { node: FeedHaNode | undefined }) {
  if (!node) return <span className="text-gray-500">—</span>;
  const s = HA_STATES[node.state];
  return (
    <span className="inline-flex items-center gap-2" title={s.meaning}>
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${HA_TONE[s.tone]}`} />
      <span className={s.tone === 'error' ? 'font-medium text-red-800' : 'text-gray-800'}>{s.label}</span>
    </span>
  );
}

function Health({ peer, autopilot }: { peer: RaftServer; autopilot: AutopilotState | null | undefined }) {
  const s = autopilot?.servers?.[peer.node_id];
  if (!s) return <span className="text-gray-500">—</span>;
  return (
    <span className="inline-flex items-center gap-2">
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${s.healthy ? 'bg-ok' : 'bg-danger'}`} />
      <span className={s.healthy ? 'text-gray-800' : 'font-medium text-red-800'}>{s.healthy ? 'Healthy' : 'Unhealthy'}</span>
      <span className="text-xs text-gray-500">last contact {s.last_contact || '—'}</span>
    </span>
  );
}

export function RaftPeersTable({ peers, autopilot, haNodes, onRemove }: RaftPeersTableProps) {
  const byId = new Map((haNodes ?? []).map((n) => [n.node_id, n]));
  const columns: Column<RaftServer>[] = [
    {
      header: 'Node',
      cell: (p) => (
        <span className="inline-flex items-center gap-2">
          <span className="font-mono font-medium text-gray-900">{p.node_id}</span>
          {p.leader ? (
            <span className="rounded-full bg-brand/10 px-2 py-0.5 text-xs font-semibold text-brand" data-testid="raft-leader-badge">
              Leader
            </span>
          ) : null}
        </span>
      ),
    },
    { header: 'Address', cell: (p) => <span className="font-mono text-gray-700">{p.address}</span> },
    {
      header: 'Voter',
      cell: (p) => (
        <span className={p.voter ? 'text-gray-800' : 'text-gray-500'} aria-label={p.voter ? 'Voter' : 'Not a voter'}>
          {p.voter ? '✓ Yes' : 'No'}
        </span>
      ),
    },
    ...(haNodes ? [{ header: 'HA state', cell: (p: RaftServer) => <HaState node={byId.get(p.node_id)} /> }] : []),
    { header: 'Health', cell: (p) => <Health peer={p} autopilot={autopilot} /> },
    {
      header: 'Actions',
      cell: (p) => (
        <button
          type="button"
          onClick={() => onRemove(p)}
          aria-label={`Remove peer ${p.node_id}`}
          className="rounded-md px-2 py-1 text-sm font-medium text-red-700 ring-1 ring-red-200 hover:bg-red-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700"
        >
          Remove peer
        </button>
      ),
    },
  ];
  return <DataTable label="Raft peers" columns={columns} rows={peers} rowKey={(p) => p.node_id} empty="This node is not part of a raft cluster: no peers to show." />;
}

'use client';
// A wall tile's HA nodes: every node of the cluster with its state (active,
// standby, sealed, down) from the watched node's status feed, so a NOC screen
// sees a failover or a node gone without a tile per node.
import { memo } from 'react';
import { HA_STATES, haSummary } from '@/lib/ha-nodes';
import type { FeedHaNode } from '@/lib/types/replication-feed';

const TONE = {
  ok: 'bg-emerald-900 text-emerald-100 ring-emerald-500',
  neutral: 'bg-slate-800 text-slate-200 ring-slate-600',
  error: 'bg-red-950 text-red-100 ring-red-500',
} as const;

/** host:port of an API address, short enough for a chip. */
function shortAddr(addr: string): string {
  try {
    return new URL(addr).host;
  } catch {
    return addr;
  }
}

// Memoised on the list itself: the feed replaces it only when a node's state or the membership changed.
export const HaNodesList = memo(function HaNodesList({ nodes, self }: { nodes: FeedHaNode[]; self: string }) {
  return (
    <div data-testid="wall-ha">
      <p className="text-lg text-slate-400">{haSummary(nodes)}</p>
      <ul aria-label="Nodes" className="mt-2 flex flex-wrap gap-2">
        {nodes.map((n) => {
          const s = HA_STATES[n.state];
          return (
            <li key={n.node_id} title={`${shortAddr(n.api_address)}: ${s.meaning}`} className={`rounded-md px-3 py-1.5 ring-1 ${TONE[s.tone]}`}>
              <span className="font-mono text-xl font-semibold">{n.node_id}</span> <span className="text-lg">{s.label}</span>
              {n.api_address === self ? <span className="ml-1 text-sm text-slate-400">(watched)</span> : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
});

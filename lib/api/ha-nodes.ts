// The nodes of this console's HA cluster, as the status feed last said
// (lib/types/replication-feed.ts FeedHaNode). No endpoint is fetched for them:
// the feed writes them into the query cache (status-feed.ts), and a page that
// needs more (the Raft peers) refetches its own query when they change.
import { queryOptions } from '@tanstack/react-query';
import type { FeedHaNode } from '@/lib/types/replication-feed';

export const HA_NODES_KEY = ['coffer', 'status-feed', 'ha-nodes'] as const;

/** undefined until the feed's init; null on a single node. */
export const haNodesQuery = () =>
  queryOptions<FeedHaNode[] | null>({
    queryKey: HA_NODES_KEY,
    queryFn: () => null,
    enabled: false,
    staleTime: Infinity,
  });

/** "dallas-1 (http://127.0.0.1:8200)", from the feed's nodes, else sys/leader's address alone; null when neither knows. */
export function activeNodeLabel(active: FeedHaNode | null, leaderAddress?: string): string | null {
  if (active) return active.api_address ? `${active.node_id} (${active.api_address})` : active.node_id;
  return leaderAddress || null;
}

'use client';
// The clusters the drill plan can offer: this console's own cluster, the
// peers each reachable cluster names in its replication status (its DR and
// performance secondaries, its primary), the status wall's list, and any
// ?primary= / ?secondary= a link brought. Each is probed (sys/health) for its
// name and roles; one that cannot be asked is listed with the reason.
import { useQuery } from '@tanstack/react-query';
import { WALL_STORAGE_KEY, initialClusters } from '@/lib/api/status-feed-wall';
import { mergeClusterAddrs, peerAddrs, probeCluster, type KnownCluster } from '@/lib/api/drills';

/** How many rounds of "ask each cluster for its peers": enough for seed 002 from any of its clusters. */
const PEER_ROUNDS = 3;

function wallList(): string[] {
  try {
    return initialClusters('', window.localStorage.getItem(WALL_STORAGE_KEY));
  } catch {
    return [];
  }
}

export interface DrillCandidate extends KnownCluster {
  /** The replication peers it named (secondaries of a primary, the primary of a secondary). */
  peers: string[];
}

async function discover(token: string, hinted: string[], signal: AbortSignal): Promise<DrillCandidate[]> {
  const own = window.location.origin;
  let addrs = mergeClusterAddrs([own], hinted, wallList());
  const peersOf = new Map<string, string[]>();
  for (let round = 0; round < PEER_ROUNDS; round++) {
    const fresh = addrs.filter((a) => !peersOf.has(a));
    const peers = await Promise.all(fresh.map((a) => peerAddrs(a, a === own ? token : null, signal).catch(() => [])));
    fresh.forEach((a, i) => peersOf.set(a, mergeClusterAddrs(peers[i])));
    addrs = mergeClusterAddrs(addrs, ...peers);
  }
  const probed = await Promise.all(addrs.map((a) => probeCluster(a, signal)));
  return probed.map((c) => ({ ...c, peers: peersOf.get(c.addr) ?? [] }));
}

export function useKnownClusters(token: string, hinted: string[]) {
  return useQuery({
    queryKey: ['drill', 'known-clusters', hinted],
    queryFn: ({ signal }) => discover(token, hinted, signal),
    staleTime: 30_000,
  });
}

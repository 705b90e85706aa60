'use client';
// One wall tile's live view of one cluster: its own feed connection (no
// token), the latest snapshot, and when it last heard anything.
import { useEffect, useState } from 'react';
import { StatusFeedClient, type FeedConnection } from '@/lib/api/status-feed-client';
import type { FeedSnapshot } from '@/lib/types/replication-feed';

export interface ClusterFeedState {
  snapshot: FeedSnapshot | null;
  connection: FeedConnection;
  /** Local ms of the last message (heartbeats included); 0 before the first. */
  lastMessageAt: number;
}

export function useClusterFeed(addr: string): ClusterFeedState {
  const [state, setState] = useState<ClusterFeedState>({ snapshot: null, connection: 'connecting', lastMessageAt: 0 });
  useEffect(() => {
    const client = new StatusFeedClient({
      clusterAddr: addr,
      onConnection: (connection) => setState((s) => ({ ...s, connection })),
      onMessage: () => setState((s) => ({ ...s, snapshot: client.snapshot, lastMessageAt: client.lastMessageAt, connection: client.state })),
    });
    client.start();
    return () => client.stop();
  }, [addr]);
  return state;
}

/** Re-render every `ms`, for "no updates for Ns" counters. */
export function useNow(ms = 500): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

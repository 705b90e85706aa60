'use client';
// One wall tile's live view of one cluster: its own feed connection (no
// token), the latest snapshot, and when it last heard anything.
//
// Thirty tiles each hearing a heartbeat a second must not mean thirty renders
// a second: a message that changed neither the snapshot nor the connection (a
// heartbeat) updates nothing. (Folding updates into one per animation frame
// was measured with bench/console-scale.ts: wall change → screen p95 went from
// 234 ms to 820–850 ms, so changes render as they arrive.) lastMessageAt is read from the client when the
// tile renders, which useNow does twice a second for the stale counter.
import { useEffect, useRef, useState } from 'react';
import { StatusFeedClient, type FeedConnection } from '@/lib/api/status-feed-client';
import type { FeedSnapshot } from '@/lib/types/replication-feed';

export interface ClusterFeedState {
  snapshot: FeedSnapshot | null;
  connection: FeedConnection;
  /** Local ms of the last message (heartbeats included); 0 before the first. */
  lastMessageAt: number;
  /** The node the feed comes from: the watched address, or another node of its HA cluster once that one stopped answering. */
  via: string;
}

export function useClusterFeed(addr: string): ClusterFeedState {
  const [state, setState] = useState<Omit<ClusterFeedState, 'lastMessageAt'>>({ snapshot: null, connection: 'connecting', via: addr });
  const client = useRef<StatusFeedClient | null>(null);
  useEffect(() => {
    const c = new StatusFeedClient({
      clusterAddr: addr,
      followCluster: true,
      onConnection: () => schedule(),
      onMessage: () => schedule(),
    });
    function schedule() {
      setState((s) => (s.snapshot === c.snapshot && s.connection === c.state && s.via === c.addr ? s : { snapshot: c.snapshot, connection: c.state, via: c.addr }));
    }
    client.current = c;
    c.start();
    return () => {
      c.stop();
      client.current = null;
    };
  }, [addr]);
  return { ...state, lastMessageAt: client.current?.lastMessageAt ?? 0 };
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

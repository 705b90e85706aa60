'use client';
// One wall tile's live view of one cluster: its own feed connection (no
// token), the latest snapshot, and when it last heard anything.
//
// Thirty tiles each hearing a heartbeat a second must not mean thirty renders
// a second: messages are folded into at most one state update per animation
// frame, and one that changed neither the snapshot nor the connection (a
// heartbeat) updates nothing. lastMessageAt is read from the client when the
// tile renders, which useNow does twice a second for the stale counter.
import { useEffect, useRef, useState } from 'react';
import { StatusFeedClient, type FeedConnection } from '@/lib/api/status-feed-client';
import type { FeedSnapshot } from '@/lib/types/replication-feed';

export interface ClusterFeedState {
  snapshot: FeedSnapshot | null;
  connection: FeedConnection;
  /** Local ms of the last message (heartbeats included); 0 before the first. */
  lastMessageAt: number;
}

const nextFrame = (fn: () => void): (() => void) => {
  if (typeof requestAnimationFrame === 'function') {
    const id = requestAnimationFrame(fn);
    return () => cancelAnimationFrame(id);
  }
  const t = setTimeout(fn, 16);
  return () => clearTimeout(t);
};

export function useClusterFeed(addr: string): ClusterFeedState {
  const [state, setState] = useState<Omit<ClusterFeedState, 'lastMessageAt'>>({ snapshot: null, connection: 'connecting' });
  const client = useRef<StatusFeedClient | null>(null);
  useEffect(() => {
    let cancelFrame: (() => void) | null = null;
    const c = new StatusFeedClient({
      clusterAddr: addr,
      onConnection: () => schedule(),
      onMessage: () => schedule(),
    });
    function schedule() {
      if (cancelFrame) return;
      cancelFrame = nextFrame(() => {
        cancelFrame = null;
        setState((s) => (s.snapshot === c.snapshot && s.connection === c.state ? s : { snapshot: c.snapshot, connection: c.state }));
      });
    }
    client.current = c;
    c.start();
    return () => {
      cancelFrame?.();
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

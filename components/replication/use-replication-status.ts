'use client';
// Replication status for a page: the cached sys/replication/status, kept live
// by the status feed; polled only while the feed is down.
import { useQuery } from '@tanstack/react-query';
import { FALLBACK_POLL_MS, replicationStatusQuery } from '@/lib/api/replication';
import { feedIsLive, useStatusFeed } from '@/lib/api/status-feed';

export function useReplicationStatus(opts: { anonymous?: boolean } = {}) {
  const connection = useStatusFeed(opts);
  const query = useQuery({
    ...replicationStatusQuery({ poll: () => (feedIsLive() ? false : FALLBACK_POLL_MS) }),
    // No data at all: let the route's error boundary offer Retry. With data, keep showing it.
    throwOnError: (_err, q) => q.state.data === undefined,
  });
  return { ...query, connection };
}

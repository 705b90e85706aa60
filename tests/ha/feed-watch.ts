import { WebSocket } from 'ws';
import { applyFeedMessage } from '../../lib/api/status-feed-client';
import { FEED_PATH, FEED_PATCH_QUERY, type FeedMessage, type FeedSnapshot } from '../../lib/types/replication-feed';

// A test's subscription to one node's live status feed (protocol 2, no token,
// as the status wall subscribes): the latest snapshot, folded from the init
// and the patches exactly as the console folds them.

export interface FeedWatch {
  latest(): FeedSnapshot | null;
  close(): void;
}

export function watchFeed(addr: string): FeedWatch {
  const url = new URL(`${FEED_PATH}?${FEED_PATCH_QUERY}`, addr);
  url.protocol = 'ws:';
  const ws = new WebSocket(url);
  let snap: FeedSnapshot | null = null;
  ws.on('message', (data) => {
    snap = applyFeedMessage(snap, JSON.parse(String(data)) as FeedMessage);
  });
  ws.on('error', () => undefined); // the test's deadline reports a feed that never says what it waits for
  return { latest: () => snap, close: () => ws.close() };
}

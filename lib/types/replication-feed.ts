// Messages of the live status feed (server/http/status-feed.ts documents the
// protocol; this is the browser's copy of its types, since the console never
// imports server code).
import type { HealthResponse, SealStatusResponse } from './cluster-status';
import type { ReplicationModeStatus } from './replication';

export interface FeedSnapshot {
  cluster: { name: string; id: string; apiAddr: string };
  health: Partial<HealthResponse> & Record<string, unknown>;
  seal: Partial<SealStatusResponse> & Record<string, unknown>;
  replication: { dr: ReplicationModeStatus; performance: ReplicationModeStatus };
}

export type FeedSection = 'cluster' | 'health' | 'seal' | 'replication.dr' | 'replication.performance';

export type FeedMessage =
  | { type: 'init'; seq: number; at: number; snapshot: FeedSnapshot }
  | { type: 'delta'; seq: number; at: number; changes: { path: FeedSection; value: unknown }[] }
  | { type: 'heartbeat'; seq: number; at: number };

/** The close code for a token the server rejected. */
export const FEED_CLOSE_PERMISSION_DENIED = 4401;
/** The close code for a token sent from a page whose origin the server does not allow. */
export const FEED_CLOSE_ORIGIN_NOT_ALLOWED = 4403;
/** Subprotocols: the feed's own, and the one that carries a token (never in the URL). */
export const FEED_PROTOCOL = 'coffer.feed.v1';
export const FEED_TOKEN_PROTOCOL_PREFIX = 'coffer.token.';
export const FEED_PATH = '/v1/sys/replication/status/feed';

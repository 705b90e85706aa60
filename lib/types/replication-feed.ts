// Messages of the live status feed (server/http/status-feed.ts documents the
// protocol). The one definition of the feed's wire shapes: the server builds
// its snapshots and messages against these types and the console reads them,
// so a field renamed on one side fails the type check on the other. (The
// console never imports server code; the server imports this.)
import type { HealthResponse, SealStatusResponse } from './cluster-status';
import type { ReplicationModeStatus, ReplicationPeer, ReplicationStatusPair } from './replication';

/** sys/health without server_time_utc, which moves every second and would push a delta to every subscriber each second. */
/** sys/health without the fields that move every second (the clock, a standby's time since its last heartbeat). */
export type FeedHealth = Omit<HealthResponse, 'server_time_utc' | 'last_request_forwarding_heartbeat_ms'>;

export interface FeedSnapshot {
  cluster: { name: string; id: string; apiAddr: string };
  /** The sys/health body (minus its clock). */
  health: FeedHealth;
  /** The sys/seal-status body. */
  seal: SealStatusResponse;
  /** As GET sys/replication/status data.dr / data.performance. */
  replication: ReplicationStatusPair;
  /** The nodes of this node's HA cluster and the state of each; null on a single node (absent from servers that predate it). */
  ha?: FeedHaNode[] | null;
}

/**
 * One node of the cluster as the feed shows it. Only what the unauthenticated
 * sys/leader and each node's own sys/health already tell anyone who asks: its
 * name, API address and whether it is active, a standby, sealed or down.
 */
export type FeedHaState = 'active' | 'standby' | 'sealed' | 'down';
export interface FeedHaNode {
  node_id: string;
  api_address: string;
  state: FeedHaState;
}

/** The sections a delta may replace, each whole. */
export const FEED_SECTIONS = ['cluster', 'health', 'seal', 'replication.dr', 'replication.performance', 'ha'] as const;
export type FeedSection = (typeof FEED_SECTIONS)[number];

/** What a delta carries for each section. */
export interface FeedSectionValues {
  cluster: FeedSnapshot['cluster'];
  health: FeedHealth;
  seal: SealStatusResponse;
  'replication.dr': ReplicationStatusPair['dr'];
  'replication.performance': ReplicationStatusPair['performance'];
  ha: FeedHaNode[] | null;
}

export type FeedChange = { [P in FeedSection]: { path: P; value: FeedSectionValues[P] } }[FeedSection];

export type FeedMessage =
  | { type: 'init'; seq: number; at: number; snapshot: FeedSnapshot }
  | { type: 'delta'; seq: number; at: number; changes: FeedChange[] }
  | { type: 'heartbeat'; seq: number; at: number }
  | FeedPatchMessage;

/** The close code for a token the server rejected. */
export const FEED_CLOSE_PERMISSION_DENIED = 4401;
/** The close code for a token sent from a page whose origin the server does not allow. */
export const FEED_CLOSE_ORIGIN_NOT_ALLOWED = 4403;
/** Subprotocols: the feed's own, and the one that carries a token (never in the URL). */
export const FEED_PROTOCOL = 'coffer.feed.v1';
export const FEED_TOKEN_PROTOCOL_PREFIX = 'coffer.token.';
export const FEED_PATH = '/v1/sys/replication/status/feed';

// Protocol 2 (`?v=2` on the feed URL): after the init, a change to a
// replication section carries only the fields that changed, and its
// secondaries[] / primaries[] only the rows (by node_id) and fields that
// changed, instead of the whole section; a primary with 50 secondaries then
// sends a few hundred bytes per change, not tens of kilobytes. `seq` is the
// version: a client that sees a gap reconnects and gets a fresh init.

/** Changed fields of one row; a row new to the list carries all its fields in `set`. */
export interface FeedRowPatch<R = ReplicationPeer> {
  set?: Partial<R>;
  unset?: (keyof R)[];
}

/** A list of rows keyed by node_id. `ids` comes only when membership or order changed: the new order; rows not in it are gone. */
export interface FeedRowsPatch<R = ReplicationPeer> {
  ids?: string[];
  rows?: Record<string, FeedRowPatch<R>>;
}

export interface FeedModePatch {
  set?: Partial<ReplicationModeStatus>;
  unset?: (keyof ReplicationModeStatus)[];
  secondaries?: FeedRowsPatch;
  primaries?: FeedRowsPatch;
  /** A list that slides (recent_applies keeps the last 512): drop this many from the front, push these at the end. */
  slide?: Partial<Record<keyof ReplicationModeStatus, { drop: number; push: unknown[] }>>;
}

/** The HA nodes by node_id: a failover sends the two rows whose state changed, not the list. */
export type FeedHaPatch = { path: 'ha'; rows: FeedRowsPatch<FeedHaNode> };

export type FeedPatchChange = FeedChange | { path: 'replication.dr' | 'replication.performance'; patch: FeedModePatch } | FeedHaPatch;

export type FeedPatchMessage = { type: 'patch'; seq: number; at: number; changes: FeedPatchChange[] };

/** The URL query that asks for protocol 2. */
export const FEED_PATCH_QUERY = 'v=2';

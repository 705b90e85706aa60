// A browser client of one cluster's live status feed: connects, keeps the
// latest snapshot (init + deltas), notices a silent feed (no heartbeat within
// STALE_AFTER_MS) and reconnects with capped, jittered backoff. No React here;
// the console binds it to React Query (status-feed.ts) and the wall keeps one
// per tile.
import {
  FEED_CLOSE_ORIGIN_NOT_ALLOWED,
  FEED_CLOSE_PERMISSION_DENIED,
  FEED_PATH,
  FEED_PROTOCOL,
  FEED_PATCH_QUERY,
  FEED_TOKEN_PROTOCOL_PREFIX,
  type FeedMessage,
  type FeedSnapshot,
} from '@/lib/types/replication-feed';
import { applyPatchChanges } from '@/lib/feed-patch';
import { nextFeedAddr } from '@/lib/ha-nodes';

export type FeedConnection = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export const STALE_AFTER_MS = 3000;
export const BACKOFF_INITIAL_MS = 250;
export const BACKOFF_MAX_MS = 5000;

/** ws(s)://host/v1/sys/replication/status/feed for a cluster address like http://127.0.0.1:8200. */
export function feedUrlFor(clusterAddr: string): string {
  const u = new URL(FEED_PATH, clusterAddr);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

/**
 * The subprotocols that carry a token: a browser cannot set headers on a
 * WebSocket, and a URL ends up in logs. base64url keeps any token within the
 * characters a subprotocol may use. No token, no subprotocols — so a wall can
 * still watch a cluster that predates them.
 */
export function feedProtocolsFor(token?: string | null): string[] {
  if (!token) return [];
  let bin = '';
  for (const b of new TextEncoder().encode(token)) bin += String.fromCharCode(b);
  const b64url = btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return [FEED_PROTOCOL, FEED_TOKEN_PROTOCOL_PREFIX + b64url];
}

/** Fold one message into the snapshot; heartbeats change nothing. */
export function applyFeedMessage(prev: FeedSnapshot | null, msg: FeedMessage): FeedSnapshot | null {
  if (msg.type === 'init') return msg.snapshot;
  if (msg.type === 'patch') return prev && applyPatchChanges(prev, msg.changes);
  if (msg.type !== 'delta' || !prev) return prev;
  const next: FeedSnapshot = { ...prev, replication: { ...prev.replication } };
  // FeedChange pairs each path with its section's type (lib/types/replication-feed.ts): no casts.
  for (const change of msg.changes) {
    switch (change.path) {
      case 'cluster':
        next.cluster = change.value;
        break;
      case 'health':
        next.health = change.value;
        break;
      case 'seal':
        next.seal = change.value;
        break;
      case 'replication.dr':
        next.replication.dr = change.value;
        break;
      case 'replication.performance':
        next.replication.performance = change.value;
        break;
      case 'ha':
        next.ha = change.value;
        break;
    }
  }
  return next;
}

type WebSocketCtor = new (url: string, protocols?: string[]) => WebSocket;

export interface StatusFeedClientOptions {
  /** Cluster address (http://host:port); '' means this page's own origin. */
  clusterAddr: string;
  token?: string | null;
  onSnapshot?(snapshot: FeedSnapshot, msg: FeedMessage): void;
  onMessage?(msg: FeedMessage): void;
  onConnection?(state: FeedConnection): void;
  WebSocketImpl?: WebSocketCtor;
  staleAfterMs?: number;
  /** On an HA cluster, when this node stops answering, dial the cluster's other nodes (from the feed's HA nodes) in turn. */
  followCluster?: boolean;
}

export class StatusFeedClient {
  private ws: WebSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private attempt = 0;
  private anonymous = false;
  private _state: FeedConnection = 'stopped';
  private _snapshot: FeedSnapshot | null = null;
  private _lastMessageAt = 0;
  private dialedAt = 0;
  private lastSeq = 0;
  private _addr: string;

  constructor(private readonly opts: StatusFeedClientOptions) {
    this._addr = opts.clusterAddr;
  }

  /** The node this client dials now: clusterAddr, or another node of its cluster (followCluster). */
  get addr(): string {
    return this._addr;
  }

  get state(): FeedConnection {
    return this._state;
  }
  get snapshot(): FeedSnapshot | null {
    return this._snapshot;
  }
  /** Local clock (ms) of the last message, 0 before the first. */
  get lastMessageAt(): number {
    return this._lastMessageAt;
  }

  start(): void {
    if (this._state !== 'stopped') return;
    this.setState('connecting');
    this.connect();
    const stale = this.opts.staleAfterMs ?? STALE_AFTER_MS;
    this.watchdog = setInterval(() => {
      // A feed that went quiet (no heartbeat), or a dial that never got its init: drop it and dial again.
      const since = this._state === 'live' ? this._lastMessageAt : this.dialedAt;
      if (this.ws && Date.now() - since > stale) this.drop();
    }, Math.max(100, Math.floor(stale / 6)));
  }

  stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    this.retryTimer = null;
    this.watchdog = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(1000);
      } catch {
        // already closing
      }
    }
    this.setState('stopped');
  }

  private url(): string {
    // Protocol 2: patches of changed fields and rows (lib/feed-patch.ts).
    return `${feedUrlFor(this._addr || window.location.origin)}?${FEED_PATCH_QUERY}`;
  }

  private connect(): void {
    const Impl = this.opts.WebSocketImpl ?? WebSocket;
    let ws: WebSocket;
    try {
      ws = new Impl(this.url(), feedProtocolsFor(this.anonymous ? null : this.opts.token));
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    this.dialedAt = Date.now();
    ws.onmessage = (ev: MessageEvent) => {
      let msg: FeedMessage;
      try {
        msg = JSON.parse(String(ev.data)) as FeedMessage;
      } catch {
        return;
      }
      // Patches apply to the previous message's state: after a gap, start over from a fresh init.
      if (msg.type !== 'init' && msg.seq !== this.lastSeq + 1) {
        this.drop();
        return;
      }
      this.lastSeq = msg.seq;
      this._lastMessageAt = Date.now();
      if (msg.type === 'init') {
        this.attempt = 0;
        this.setState('live');
      }
      const next = applyFeedMessage(this._snapshot, msg);
      if (next) {
        this._snapshot = next;
        this.opts.onSnapshot?.(next, msg);
      }
      this.opts.onMessage?.(msg);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      // The feed is public; a token the server no longer accepts (or not from this origin) is not a reason to go blind.
      if (ev.code === FEED_CLOSE_PERMISSION_DENIED || ev.code === FEED_CLOSE_ORIGIN_NOT_ALLOWED) this.anonymous = true;
      this.ws = null;
      this.scheduleRetry();
    };
    ws.onerror = () => {
      // onclose follows and schedules the retry
    };
  }

  private drop(): void {
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        // ignore
      }
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.watchdog === null) return; // stopped
    if (this.opts.followCluster) this._addr = nextFeedAddr(this._addr, this.opts.clusterAddr, this._snapshot?.ha);
    this.setState('reconnecting');
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** this.attempt++);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private setState(s: FeedConnection): void {
    if (this._state === s) return;
    this._state = s;
    this.opts.onConnection?.(s);
  }
}

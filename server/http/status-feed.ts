// The live status feed: a WebSocket that pushes this cluster's health, seal
// and replication status to the console and the NOC wall, so dashboards
// update within a fraction of a second without polling.
//
// Protocol
// --------
// Connect to `ws(s)://<host>/v1/sys/replication/status/feed`, optionally with a
// token: browsers offer the subprotocols [FEED_PROTOCOL,
// `coffer.token.<base64url(token)>`], other clients may send X-Vault-Token; a
// `?token=` in the URL is ignored (status-feed-access.ts has the rules). A
// token from a browser origin that is not allowed is answered by closing with
// 4403 "origin not allowed" before the token is looked at; a token that
// `authorize` rejects by closing with 4401 "permission denied". No token is
// allowed, from any Origin: the feed carries only what Vault's unauthenticated
// endpoints (sys/health, sys/seal-status, sys/replication/status) already
// expose, so a status wall can watch many clusters without holding their
// tokens. One client address may hold MAX_SUBSCRIBERS_PER_CLIENT subscriptions
// (more are closed with 1013), and a client frame over MAX_CLIENT_FRAME_BYTES
// closes its connection (1009).
//
// Server → client messages are JSON text; `seq` counts messages on this
// connection from 1, `at` is the server's clock in ms since the epoch:
//   {type:'init', seq, at, snapshot}               first, the whole StatusSnapshot
//   {type:'delta', seq, at, changes:[{path,value}]} sections that changed since
//        the last message this client got; path is one of FEED_SECTIONS
//        ('cluster' | 'health' | 'seal' | 'replication.dr' | 'replication.performance' | 'ha')
//        and value replaces that section whole
//   {type:'heartbeat', seq, at}                    every HEARTBEAT_INTERVAL_MS, so a
//        client can tell a quiet feed from a dead one
// Deltas follow `source.onChange` (bursts coalesced: at most one per
// COALESCE_MS) and a poll of `source.snapshot()` every POLL_INTERVAL_MS, which
// catches fields that move without an onChange (lag, heartbeat times).
// Clients send nothing; anything they send is ignored.
//
// Protocol 2, asked for with `?v=2` on the URL (lib/types/replication-feed.ts,
// lib/feed-patch.ts): instead of `delta`, `{type:'patch', seq, at, changes}`
// where a replication section carries only its changed fields and, in
// secondaries[]/primaries[], only the changed rows and fields by node_id; the
// HA nodes (`ha`) go as `{path:'ha', rows}`, the rows whose state changed.
// `seq` has no gaps on one connection; a client that sees one reconnects.
//
// A subscriber whose unsent bytes exceed `maxBufferedBytes` (1 MiB) is
// terminated: a slow consumer must not grow the server's memory. It can
// reconnect and gets a fresh init.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import {
  FEED_CLOSE_ORIGIN_NOT_ALLOWED,
  FEED_CLOSE_PERMISSION_DENIED,
  FEED_PATH,
  FEED_SECTIONS,
  type FeedMessage,
  type FeedSection,
  type FeedSnapshot,
} from '../../lib/types/replication-feed';
import { diffSnapshot, stableJson, whole as sectionChange } from '../../lib/feed-patch';
import type { FeedPatchChange } from '../../lib/types/replication-feed';
import { ClientCounter, feedTokenOf, MAX_CLIENT_FRAME_BYTES, MAX_SUBSCRIBERS_PER_CLIENT, originAllowed, selectProtocol } from './status-feed-access';

// The wire shapes (snapshot, sections, messages, close codes) are defined once,
// in lib/types/replication-feed.ts, which the console reads too.
export { FEED_SECTIONS, stableJson, type FeedMessage, type FeedSection };
/** What the feed shows: the console's FeedSnapshot, built by the server. */
export type StatusSnapshot = FeedSnapshot;

export interface StatusSource {
  snapshot(): StatusSnapshot;
  /** Calls `listener` when something in the snapshot may have changed; returns an unsubscribe. */
  onChange(listener: () => void): () => void;
}

export interface StatusFeedOptions {
  /** Default DEFAULT_FEED_PATH. */
  path?: string;
  /** Validates a client token. A Promise is accepted too (token lookups may be async). */
  authorize(token: string): boolean | Promise<boolean>;
  logger?: { warn(obj: object, msg: string): void };
  /** Unsent bytes after which a subscriber is dropped. Default MAX_BUFFERED_BYTES. */
  maxBufferedBytes?: number;
  /** Browser origins, besides the request's own host, whose token-bearing subscriptions are accepted. */
  allowedOrigins?: string[];
  /** Default MAX_SUBSCRIBERS_PER_CLIENT. */
  maxSubscribersPerClient?: number;
}

export interface StatusFeed {
  close(): void;
  subscribers(): number;
}

export const DEFAULT_FEED_PATH = FEED_PATH;
export const COALESCE_MS = 50;
export const HEARTBEAT_INTERVAL_MS = 1000;
export const POLL_INTERVAL_MS = 1000;
export const MAX_BUFFERED_BYTES = 1024 * 1024;
export const CLOSE_PERMISSION_DENIED = FEED_CLOSE_PERMISSION_DENIED;
export const CLOSE_ORIGIN_NOT_ALLOWED = FEED_CLOSE_ORIGIN_NOT_ALLOWED;
const CLOSE_TRY_AGAIN_LATER = 1013;
/** `?v=2` asks for protocol 2: field and row patches instead of whole sections. */
const FEED_PATCH_VERSION = '2';
const CLOSE_GOING_AWAY = 1001;

type Sections = Record<FeedSection, string>;

/** Each section as JSON with sorted keys, so equal values compare equal whatever their key order. */
function sectionsOf(s: StatusSnapshot): Sections {
  const out = {} as Sections;
  for (const path of FEED_SECTIONS) out[path] = stableJson(sectionChange(s, path).value);
  return out;
}

interface Subscriber {
  ws: WebSocket;
  seq: number;
  /** What this client has been told, per section; null until its init went out. */
  sent: Sections | null;
  /** Protocol 2 (`?v=2`): patches against `told`, the last snapshot this client has. */
  patches: boolean;
  told: StatusSnapshot | null;
}

/** Bytes queued for this client. ws writes to the TCP socket itself (the connection edge interposes only on reads), so ws's count covers both. */
function queuedBytes(sub: Subscriber): number {
  return sub.ws.bufferedAmount;
}

function wantsPatches(req: IncomingMessage): boolean {
  try {
    return new URL(req.url ?? '/', 'http://feed').searchParams.get('v') === FEED_PATCH_VERSION;
  } catch {
    return false;
  }
}

export function attachStatusFeed(server: Server, source: StatusSource, opts: StatusFeedOptions): StatusFeed {
  const path = opts.path ?? DEFAULT_FEED_PATH;
  const maxBuffered = opts.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_CLIENT_FRAME_BYTES, handleProtocols: selectProtocol });
  const allowedOrigins = new Set(opts.allowedOrigins ?? []);
  const perClient = new ClientCounter(opts.maxSubscribersPerClient ?? MAX_SUBSCRIBERS_PER_CLIENT);
  const subs = new Set<Subscriber>();
  let closed = false;
  let lastFlushAt = 0;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;

  function warn(obj: object, msg: string) {
    opts.logger?.warn({ component: 'http.status-feed', ...obj }, msg);
  }

  function readSnapshot(): StatusSnapshot | null {
    try {
      return source.snapshot();
    } catch (err) {
      warn({ err }, 'status snapshot failed');
      return null;
    }
  }

  function send(sub: Subscriber, msg: FeedMessage): void {
    if (sub.ws.readyState !== WebSocket.OPEN) return;
    if (queuedBytes(sub) > maxBuffered) {
      warn({ queued: queuedBytes(sub) }, 'status feed subscriber too slow; dropping it');
      subs.delete(sub);
      sub.ws.terminate();
      return;
    }
    sub.ws.send(JSON.stringify(msg));
  }

  function flush(): void {
    flushTimer = null;
    lastFlushAt = Date.now();
    if (subs.size === 0) return;
    const snap = readSnapshot();
    if (!snap) return;
    const now = sectionsOf(snap);
    // Clients in step share one `told` snapshot: diff it once for all of them.
    const patchesFrom = new Map<StatusSnapshot, FeedPatchChange[]>();
    for (const sub of subs) {
      if (!sub.sent) continue;
      if (sub.patches && sub.told) {
        if (FEED_SECTIONS.every((p) => now[p] === sub.sent![p])) continue;
        let patch = patchesFrom.get(sub.told);
        if (!patch) patchesFrom.set(sub.told, (patch = diffSnapshot(sub.told, snap)));
        sub.sent = now;
        sub.told = snap;
        if (patch.length > 0) send(sub, { type: 'patch', seq: ++sub.seq, at: lastFlushAt, changes: patch });
        continue;
      }
      const changes = FEED_SECTIONS.filter((p) => now[p] !== sub.sent![p]).map((p) => sectionChange(snap, p));
      if (changes.length === 0) continue;
      sub.sent = now;
      send(sub, { type: 'delta', seq: ++sub.seq, at: lastFlushAt, changes });
    }
  }

  /** The first change after a quiet spell goes out at once; a burst waits for the next COALESCE_MS slot. */
  function requestFlush(): void {
    if (closed || flushTimer) return;
    const wait = Math.max(0, lastFlushAt + COALESCE_MS - Date.now());
    flushTimer = setTimeout(flush, wait);
  }

  const unsubscribe = source.onChange(requestFlush);
  const ticker = setInterval(() => {
    requestFlush();
    const at = Date.now();
    for (const sub of subs) if (sub.sent) send(sub, { type: 'heartbeat', seq: ++sub.seq, at });
  }, Math.min(HEARTBEAT_INTERVAL_MS, POLL_INTERVAL_MS));
  ticker.unref();

  async function admit(ws: WebSocket, req: IncomingMessage): Promise<void> {
    const sub: Subscriber = { ws, seq: 0, sent: null, patches: wantsPatches(req), told: null };
    ws.on('error', (err) => warn({ err: err.message }, 'status feed socket error'));
    ws.on('close', () => subs.delete(sub));
    ws.on('message', () => {}); // clients have nothing to say; ignore it
    const client = req.socket.remoteAddress ?? 'unknown';
    if (!perClient.acquire(client)) {
      ws.close(CLOSE_TRY_AGAIN_LATER, 'too many status feed subscriptions from this address');
      return;
    }
    ws.once('close', () => perClient.release(client));
    const token = feedTokenOf(req);
    if (token !== null && !originAllowed(req, allowedOrigins)) {
      ws.close(CLOSE_ORIGIN_NOT_ALLOWED, 'origin not allowed');
      return;
    }
    if (token !== null) {
      let ok = false;
      try {
        ok = await opts.authorize(token);
      } catch (err) {
        warn({ err }, 'status feed token check failed');
      }
      if (!ok) {
        ws.close(CLOSE_PERMISSION_DENIED, 'permission denied');
        return;
      }
    }
    if (closed || ws.readyState !== WebSocket.OPEN) return;
    const snap = readSnapshot();
    if (!snap) {
      ws.close(1011, 'status unavailable');
      return;
    }
    subs.add(sub);
    sub.sent = sectionsOf(snap);
    sub.told = snap;
    send(sub, { type: 'init', seq: ++sub.seq, at: Date.now(), snapshot: snap });
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://feed');
    } catch {
      return;
    }
    if (url.pathname !== path) return; // someone else's upgrade (Next's dev HMR, say)
    if (closed) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => void admit(ws, req));
  }

  server.on('upgrade', onUpgrade);

  return {
    subscribers: () => subs.size,
    close() {
      if (closed) return;
      closed = true;
      server.off('upgrade', onUpgrade);
      unsubscribe();
      clearInterval(ticker);
      if (flushTimer) clearTimeout(flushTimer);
      for (const sub of subs) sub.ws.close(CLOSE_GOING_AWAY, 'server closing');
      subs.clear();
      wss.close();
    },
  };
}

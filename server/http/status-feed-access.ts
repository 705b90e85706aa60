// Who may subscribe to the status feed, and how a token travels (status-feed.ts).
//
// The token never rides in the URL, where proxies and access logs keep it: a
// browser, which cannot set headers on a WebSocket, offers it as a
// Sec-WebSocket-Protocol entry `coffer.token.<base64url(token)>` next to
// FEED_PROTOCOL (the Kubernetes API server carries bearer tokens the same way);
// the server answers with FEED_PROTOCOL only, never echoing the token. Other
// clients may send X-Vault-Token. A `?token=` query is ignored.
//
// Origins. A WebSocket is not subject to CORS, so any page could open the feed
// with a token and learn from the close code whether the token is valid. A
// subscription that carries a token must therefore come from no browser at all
// (no Origin header) or from an allowed origin: this API's own (the Origin is
// the Host the request was sent to, or api_addr's) or one listed in the
// listener's status_feed_allowed_origins. The origin is checked before the
// token, so a refused origin learns nothing about it. A subscription without a
// token is allowed from any origin: it carries only what sys/health,
// sys/seal-status and sys/replication/status already tell anyone, and the
// status wall on one cluster's origin watches other clusters this way.
import type { IncomingMessage } from 'node:http';
import { FEED_PROTOCOL, FEED_TOKEN_PROTOCOL_PREFIX } from '../../lib/types/replication-feed';
/** Subscriptions one client address may hold at once: a console tab holds one, a wall one per watched cluster. */
export const MAX_SUBSCRIBERS_PER_CLIENT = 32;
/** The feed reads nothing from clients; this only bounds what a client may make it buffer (control frames are ≤ 125 bytes). */
export const MAX_CLIENT_FRAME_BYTES = 1024;

/** The token a request carries (subprotocol entry or X-Vault-Token), or null. */
export function feedTokenOf(req: IncomingMessage): string | null {
  for (const p of offeredProtocols(req)) {
    if (!p.startsWith(FEED_TOKEN_PROTOCOL_PREFIX)) continue;
    const token = Buffer.from(p.slice(FEED_TOKEN_PROTOCOL_PREFIX.length), 'base64url').toString('utf8');
    if (token) return token;
  }
  const h = req.headers['x-vault-token'];
  return (Array.isArray(h) ? h[0] : h) || null;
}

export function offeredProtocols(req: IncomingMessage): string[] {
  const h = req.headers['sec-websocket-protocol'];
  return typeof h === 'string' ? h.split(',').map((p) => p.trim()).filter(Boolean) : [];
}

/** The subprotocol to answer with: FEED_PROTOCOL when offered, else none. */
export function selectProtocol(offered: Set<string>): string | false {
  return offered.has(FEED_PROTOCOL) ? FEED_PROTOCOL : false;
}

/** True when a token-bearing subscription may come from this request's Origin. */
export function originAllowed(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // not a browser: it could ask the API directly
  if (allowed.has(origin)) return true;
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  return req.headers.host !== undefined && origin === `${encrypted ? 'https' : 'http'}://${req.headers.host}`;
}

/** Counts live subscriptions per client address. */
export class ClientCounter {
  private readonly counts = new Map<string, number>();
  constructor(private readonly max: number) {}

  /** Takes a slot for `client`; false when it already holds the maximum. */
  acquire(client: string): boolean {
    const n = this.counts.get(client) ?? 0;
    if (n >= this.max) return false;
    this.counts.set(client, n + 1);
    return true;
  }

  release(client: string): void {
    const n = (this.counts.get(client) ?? 0) - 1;
    if (n <= 0) this.counts.delete(client);
    else this.counts.set(client, n);
  }
}

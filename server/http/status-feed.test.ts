import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import {
  attachStatusFeed,
  CLOSE_ORIGIN_NOT_ALLOWED,
  CLOSE_PERMISSION_DENIED,
  type FeedMessage,
  type StatusFeed,
  type StatusFeedOptions,
  type StatusSnapshot,
  type StatusSource,
} from './status-feed';
import { MAX_CLIENT_FRAME_BYTES } from './status-feed-access';

const HEALTH: StatusSnapshot['health'] = { initialized: true, sealed: false, standby: false, performance_standby: false, version: '1.0.0', cluster_name: 'alpha' };
const SEAL: StatusSnapshot['seal'] = { type: 'shamir', initialized: true, sealed: false, t: 1, n: 1, progress: 0, nonce: '', version: '1.0.0', migration: false, recovery_seal: false };

// A test double of the StatusSource interface (not of storage): a snapshot
// the test edits, and a way to fire onChange.
class FakeSource implements StatusSource {
  listeners = new Set<() => void>();
  snap: StatusSnapshot = {
    cluster: { name: 'alpha', id: 'c-1', apiAddr: 'http://127.0.0.1:8200' },
    health: { ...HEALTH },
    seal: { ...SEAL },
    replication: { dr: { mode: 'disabled' }, performance: { mode: 'disabled' } },
  };
  snapshot() {
    return structuredClone(this.snap);
  }
  onChange(l: () => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  change(edit: (s: StatusSnapshot) => void) {
    edit(this.snap);
    for (const l of this.listeners) l();
  }
}

interface Client {
  ws: WebSocket;
  messages: FeedMessage[];
  closed: Promise<{ code: number; reason: string }>;
  next(pred?: (m: FeedMessage) => boolean, timeoutMs?: number): Promise<FeedMessage>;
}

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(
  source = new FakeSource(),
  authorize: (t: string) => boolean = (t) => t === 'good',
  maxBufferedBytes?: number,
  extra: Pick<StatusFeedOptions, 'allowedOrigins' | 'maxSubscribersPerClient'> = {},
) {
  const server: Server = createServer((_req, res) => res.end('plain http'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const warnings: string[] = [];
  const feed: StatusFeed = attachStatusFeed(server, source, {
    authorize,
    maxBufferedBytes,
    ...extra,
    logger: { warn: (_o, msg) => warnings.push(msg) },
  });
  cleanups.push(async () => {
    feed.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const port = (server.address() as AddressInfo).port;
  return { server, feed, source, port, warnings };
}

interface ConnectOptions {
  /** Sent as browsers do: a coffer.token.<base64url> subprotocol. */
  token?: string;
  path?: string;
  query?: string;
  /** Default: another cluster's origin, as the status wall has. */
  origin?: string | null;
}

function connect(port: number, opts: ConnectOptions = {}): Client {
  const { path = '/v1/sys/replication/status/feed', query = '', origin = 'http://some-other-cluster:8300' } = opts;
  const protocols = opts.token ? ['coffer.feed.v1', 'coffer.token.' + Buffer.from(opts.token).toString('base64url')] : [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}${query}`, protocols, origin === null ? {} : { origin });
  const messages: FeedMessage[] = [];
  const waiters: { pred: (m: FeedMessage) => boolean; resolve: (m: FeedMessage) => void }[] = [];
  let read = 0;
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as FeedMessage;
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  ws.on('error', () => {});
  cleanups.push(() => ws.terminate());
  return {
    ws,
    messages,
    closed,
    // Resolves with the first not-yet-consumed message matching pred.
    next(pred = () => true, timeoutMs = 3000) {
      for (; read < messages.length; read++) {
        if (pred(messages[read])) return Promise.resolve(messages[read++]);
      }
      read = Number.MAX_SAFE_INTEGER;
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no matching message in ${timeoutMs} ms; got ${JSON.stringify(messages)}`)), timeoutMs);
        waiters.push({ pred, resolve: (m) => (clearTimeout(t), resolve(m)) });
      });
    },
  };
}

const isDelta = (m: FeedMessage) => m.type === 'delta';

describe('attachStatusFeed', () => {
  it('sends an init snapshot first, to a client with a good token', async () => {
    const { port, feed } = await setup();
    const c = connect(port, { token: 'good', origin: `http://127.0.0.1:${port}` });
    const init = await c.next();
    expect(init).toMatchObject({ type: 'init', seq: 1, snapshot: { cluster: { name: 'alpha' }, replication: { dr: { mode: 'disabled' } } } });
    expect(Math.abs(init.at - Date.now())).toBeLessThan(2000);
    expect(feed.subscribers()).toBe(1);
  });

  it('allows a client without a token (and from any Origin)', async () => {
    const { port } = await setup();
    const c = connect(port);
    expect((await c.next()).type).toBe('init');
  });

  it('closes with 4401 "permission denied" for a rejected token', async () => {
    const { port, feed } = await setup();
    const c = connect(port, { token: 'bad', origin: `http://127.0.0.1:${port}` });
    expect(await c.closed).toEqual({ code: CLOSE_PERMISSION_DENIED, reason: 'permission denied' });
    expect(c.messages).toEqual([]);
    expect(feed.subscribers()).toBe(0);
  });

  it('accepts an async authorize', async () => {
    const { port } = await setup(new FakeSource(), ((t: string) => Promise.resolve(t === 'good')) as unknown as (t: string) => boolean);
    expect((await connect(port, { token: 'good', origin: `http://127.0.0.1:${port}` }).next()).type).toBe('init');
    expect((await connect(port, { token: 'nope', origin: null }).closed).code).toBe(CLOSE_PERMISSION_DENIED);
  });

  it('sends only the sections that changed when onChange fires', async () => {
    const { port, source } = await setup();
    const c = connect(port, { token: 'good', origin: `http://127.0.0.1:${port}` });
    await c.next();
    const t0 = Date.now();
    source.change((s) => {
      s.replication.dr = { mode: 'primary', state: 'running', last_wal: 7 };
    });
    const d = await c.next(isDelta);
    expect(Date.now() - t0).toBeLessThan(200);
    expect(d).toMatchObject({ type: 'delta', seq: 2, changes: [{ path: 'replication.dr', value: { mode: 'primary', state: 'running', last_wal: 7 } }] });
  });

  it('sends nothing when onChange fires but nothing changed (key order does not count)', async () => {
    const { port, source } = await setup();
    const c = connect(port);
    await c.next();
    source.change((s) => {
      s.seal = Object.fromEntries(Object.entries(SEAL).reverse()) as StatusSnapshot['seal'];
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(c.messages.filter(isDelta)).toEqual([]);
  });

  it('coalesces a burst into at most one delta per 50 ms, ending with the latest value', async () => {
    const { port, source } = await setup();
    const c = connect(port);
    await c.next();
    for (let i = 1; i <= 40; i++) {
      source.change((s) => {
        s.replication.dr = { mode: 'primary', last_wal: i };
      });
    }
    await new Promise((r) => setTimeout(r, 250));
    const deltas = c.messages.filter(isDelta) as Extract<FeedMessage, { type: 'delta' }>[];
    expect(deltas.length).toBeGreaterThanOrEqual(1);
    expect(deltas.length).toBeLessThanOrEqual(2); // the first at once, the rest folded into one
    expect(deltas.at(-1)!.changes).toEqual([{ path: 'replication.dr', value: { mode: 'primary', last_wal: 40 } }]);
    for (let i = 1; i < deltas.length; i++) expect(deltas[i].at - deltas[i - 1].at).toBeGreaterThanOrEqual(50);
  });

  it('sends a heartbeat every second, and polls for changes made without onChange', async () => {
    const { port, source } = await setup();
    const c = connect(port);
    await c.next();
    source.snap.replication.performance = { mode: 'secondary', lag_ms: 12 }; // no onChange
    const hb = await c.next((m) => m.type === 'heartbeat', 1600);
    expect(hb.seq).toBeGreaterThan(1);
    const d = await c.next(isDelta, 1600);
    expect(d).toMatchObject({ changes: [{ path: 'replication.performance', value: { lag_ms: 12 } }] });
    const hb2 = await c.next((m) => m.type === 'heartbeat', 1600);
    expect(hb2.at - hb.at).toBeGreaterThanOrEqual(900);
    const seqs = c.messages.map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('leaves other upgrade paths to other listeners', async () => {
    const { port, server } = await setup();
    // Another upgrade handler on the same server (Next's dev HMR, say).
    server.on('upgrade', (req, socket) => {
      if (!req.url?.startsWith('/v1/sys/replication/status/feed')) socket.end("HTTP/1.1 418 I'm a teapot\r\nConnection: close\r\n\r\n");
    });
    const c = connect(port, { path: '/somewhere/else' });
    const status = await new Promise<number>((resolve) => c.ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(418); // the feed did not complete a handshake for it
    const own = connect(port, { token: 'good', origin: `http://127.0.0.1:${port}` });
    expect((await own.next()).type).toBe('init');
  });

  it('drops a subscriber that stops reading, and keeps serving the others', async () => {
    const source = new FakeSource();
    const { port, feed, warnings } = await setup(source, () => true);
    const slow = connect(port);
    const fast = connect(port);
    await slow.next();
    await fast.next();
    slow.ws.pause(); // stop reading: the server's queue for it can only grow
    const blob = 'x'.repeat(512 * 1024);
    let i = 0;
    const pump = setInterval(() => source.change((s) => (s.health = { ...HEALTH, cluster_name: `${blob}${++i}` })), 20);
    cleanups.push(() => clearInterval(pump));
    // A paused client cannot see the close; watch the server drop it.
    const deadline = Date.now() + 15_000;
    while (feed.subscribers() > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    clearInterval(pump);
    expect(feed.subscribers()).toBe(1);
    expect(warnings).toContain('status feed subscriber too slow; dropping it');
    slow.ws.resume(); // once it reads again it finds the connection gone
    expect((await slow.closed).code).toBe(1006);
    source.change((s) => (s.cluster = { ...s.cluster, name: 'renamed' }));
    const d = await fast.next((m) => m.type === 'delta' && m.changes.some((ch) => ch.path === 'cluster'));
    expect(d).toMatchObject({ type: 'delta' });
  }, 30_000);

  it('close() ends every subscription and refuses new ones', async () => {
    const { port, feed } = await setup();
    const a = connect(port);
    const b = connect(port, { token: 'good', origin: `http://127.0.0.1:${port}` });
    await a.next();
    await b.next();
    feed.close();
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    expect(feed.subscribers()).toBe(0);
    const late = connect(port);
    const res = await Promise.race([late.closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('pending'), 500))]);
    expect(late.messages).toEqual([]);
    expect(['closed', 'pending']).toContain(res);
  });
});

describe('attachStatusFeed: who may subscribe, and how the token travels', () => {
  const spy = () => {
    const seen: string[] = [];
    return { seen, authorize: (t: string) => (seen.push(t), t === 'good') };
  };

  it('ignores a token in the URL query: no authentication and no 4401 oracle', async () => {
    const { seen, authorize } = spy();
    const { port } = await setup(new FakeSource(), authorize);
    const c = connect(port, { query: '?token=bad' });
    expect((await c.next()).type).toBe('init');
    expect(seen).toEqual([]);
  });

  it('refuses a token from a foreign Origin with 4403 before looking at it', async () => {
    const { seen, authorize } = spy();
    const { port, feed } = await setup(new FakeSource(), authorize);
    for (const token of ['good', 'bad']) {
      const c = connect(port, { token, origin: 'https://evil.example' });
      expect(await c.closed, token).toEqual({ code: CLOSE_ORIGIN_NOT_ALLOWED, reason: 'origin not allowed' });
      expect(c.messages).toEqual([]);
    }
    expect(seen).toEqual([]);
    expect(feed.subscribers()).toBe(0);
  });

  it('accepts a token from its own origin, a configured origin, or a client that sends no Origin', async () => {
    const { port } = await setup(new FakeSource(), (t) => t === 'good', undefined, { allowedOrigins: ['https://noc.example'] });
    for (const origin of [`http://127.0.0.1:${port}`, 'https://noc.example', null]) {
      const c = connect(port, { token: 'good', origin });
      expect((await c.next()).type, String(origin)).toBe('init');
      expect(c.ws.protocol).toBe('coffer.feed.v1'); // the token is never echoed back
    }
    const denied = connect(port, { token: 'bad', origin: 'https://noc.example' });
    expect((await denied.closed).code).toBe(CLOSE_PERMISSION_DENIED);
  });

  it('takes X-Vault-Token from non-browser clients', async () => {
    const { seen, authorize } = spy();
    const { port } = await setup(new FakeSource(), authorize);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/sys/replication/status/feed`, { headers: { 'X-Vault-Token': 'nope' } });
    ws.on('error', () => {});
    cleanups.push(() => ws.terminate());
    const code = await new Promise<number>((r) => ws.on('close', (c) => r(c)));
    expect(code).toBe(CLOSE_PERMISSION_DENIED);
    expect(seen).toEqual(['nope']);
  });

  it('closes a client that sends a frame larger than MAX_CLIENT_FRAME_BYTES (1009)', async () => {
    const { port, feed } = await setup();
    const c = connect(port);
    await c.next();
    c.ws.send('x'.repeat(MAX_CLIENT_FRAME_BYTES + 1));
    expect((await c.closed).code).toBe(1009);
    await vi.waitFor(() => expect(feed.subscribers()).toBe(0));
  });

  it('caps subscriptions per client address (1013) and frees a slot when one closes', async () => {
    const { port } = await setup(new FakeSource(), () => true, undefined, { maxSubscribersPerClient: 3 });
    const first = [connect(port), connect(port), connect(port)];
    for (const c of first) await c.next();
    const extra = connect(port);
    expect((await extra.closed).code).toBe(1013);
    first[0].ws.close();
    await first[0].closed;
    await vi.waitFor(async () => {
      const again = connect(port);
      expect((await again.next()).type).toBe('init');
    });
  });
});

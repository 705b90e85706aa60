// The browser feed client against the real server feed (server/http/status-feed)
// over real sockets; `ws` stands in for the browser's WebSocket.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket, WebSocketServer } from 'ws';
import { attachStatusFeed, type StatusSnapshot } from '@/server/http/status-feed';
import type { FeedSnapshot } from '@/lib/types/replication-feed';
import fc from 'fast-check';
import { feedTokenOf } from '@/server/http/status-feed-access';
import { applyFeedMessage, feedProtocolsFor, feedUrlFor, StatusFeedClient, type FeedConnection } from './status-feed-client';

const WS = NodeWebSocket as unknown as new (url: string, protocols?: string[]) => WebSocket;

function snapshot(): StatusSnapshot {
  return {
    cluster: { name: 'alpha', id: 'c1', apiAddr: 'http://127.0.0.1:1' },
    health: { initialized: true, sealed: false, standby: false, performance_standby: false, version: '1.0.0' },
    seal: { type: 'shamir', initialized: true, sealed: false, t: 1, n: 1, progress: 0, nonce: '', version: '1.0.0', migration: false, recovery_seal: false },
    replication: { dr: { mode: 'disabled' }, performance: { mode: 'disabled' } },
  };
}

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function feedServer(port = 0, authorize = (t: string) => t === 'good') {
  const server = createServer();
  let snap = snapshot();
  const listeners = new Set<() => void>();
  const feed = attachStatusFeed(server, { snapshot: () => snap, onChange: (l) => (listeners.add(l), () => listeners.delete(l)) }, { authorize });
  const p = await listen(server, port);
  const stop = async () => {
    feed.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  cleanups.push(stop);
  return {
    port: p,
    stop,
    set(edit: (s: StatusSnapshot) => void) {
      snap = structuredClone(snap);
      edit(snap);
      for (const l of listeners) l();
    },
  };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function makeClient(port: number, token: string | null, staleAfterMs?: number) {
  const states: FeedConnection[] = [];
  const snaps: FeedSnapshot[] = [];
  const c = new StatusFeedClient({
    clusterAddr: `http://127.0.0.1:${port}`,
    token,
    WebSocketImpl: WS,
    staleAfterMs,
    onConnection: (s) => states.push(s),
    onSnapshot: (s) => snaps.push(s),
  });
  cleanups.push(() => c.stop());
  return { c, states, snaps };
}

describe('followCluster', () => {
  it('a wall client whose node stops dials another node of its HA cluster from the feed\'s list', async () => {
    const b = await feedServer();
    b.set((s) => (s.cluster.name = 'node-b'));
    const a = await feedServer();
    a.set((s) => {
      s.cluster.name = 'node-a';
      s.ha = [
        { node_id: 'a', api_address: `http://127.0.0.1:${a.port}`, state: 'active' },
        { node_id: 'b', api_address: `http://127.0.0.1:${b.port}`, state: 'standby' },
      ];
    });
    const names: string[] = [];
    const c = new StatusFeedClient({ clusterAddr: `http://127.0.0.1:${a.port}`, WebSocketImpl: WS, followCluster: true, onSnapshot: (s) => names.push(s.cluster.name) });
    cleanups.push(() => c.stop());
    c.start();
    await until(() => names.includes('node-a'));
    await a.stop();
    await until(() => names.at(-1) === 'node-b', 15_000);
    expect(c.addr).toBe(`http://127.0.0.1:${b.port}`);
    expect(c.state).toBe('live');
  });
});

describe('feedUrlFor', () => {
  it('turns a cluster address into the feed URL, never with a token in it', () => {
    expect(feedUrlFor('http://127.0.0.1:8200')).toBe('ws://127.0.0.1:8200/v1/sys/replication/status/feed');
    expect(feedUrlFor('https://vault.example:8200/ui/')).toBe('wss://vault.example:8200/v1/sys/replication/status/feed');
  });
});

describe('feedProtocolsFor', () => {
  it('offers nothing without a token, so a wall can watch older clusters', () => {
    expect(feedProtocolsFor(null)).toEqual([]);
    expect(feedProtocolsFor('')).toEqual([]);
  });

  it('property: any token travels as valid subprotocol tokens and the server reads it back', () => {
    const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/; // RFC 7230 token: what a browser accepts as a subprotocol
    fc.assert(
      fc.property(fc.string({ minLength: 1, unit: 'binary' }), (token) => {
        const protocols = feedProtocolsFor(token);
        expect(protocols[0]).toBe('coffer.feed.v1');
        for (const p of protocols) expect(p).toMatch(TCHAR);
        const req = { headers: { 'sec-websocket-protocol': protocols.join(', ') } } as unknown as Parameters<typeof feedTokenOf>[0];
        expect(feedTokenOf(req)).toBe(token);
      }),
      { numRuns: 200 },
    );
  });
});

describe('applyFeedMessage', () => {
  it('takes init whole, replaces only the changed sections on delta, ignores heartbeats', () => {
    const init = snapshot() as unknown as FeedSnapshot;
    const a = applyFeedMessage(null, { type: 'init', seq: 1, at: 0, snapshot: init })!;
    const b = applyFeedMessage(a, { type: 'delta', seq: 2, at: 0, changes: [{ path: 'replication.dr', value: { mode: 'primary' } }] })!;
    expect(b.replication.dr).toEqual({ mode: 'primary' });
    expect(b.replication.performance).toBe(a.replication.performance);
    expect(b.health).toBe(a.health);
    expect(a.replication.dr).toEqual({ mode: 'disabled' }); // the old snapshot is untouched
    expect(applyFeedMessage(b, { type: 'heartbeat', seq: 3, at: 0 })).toBe(b);
    expect(applyFeedMessage(null, { type: 'delta', seq: 1, at: 0, changes: [] })).toBeNull();
  });
});

describe('StatusFeedClient', () => {
  it('goes live on init and follows deltas', async () => {
    const srv = await feedServer();
    const { c, states, snaps } = makeClient(srv.port, 'good');
    c.start();
    await until(() => c.state === 'live');
    expect(states.slice(0, 2)).toEqual(['connecting', 'live']);
    srv.set((s) => (s.replication.dr = { mode: 'primary', state: 'running' }));
    await until(() => c.snapshot?.replication.dr.mode === 'primary');
    expect(snaps.at(-1)!.cluster.name).toBe('alpha');
  });

  it('shows reconnecting when the server goes away, and comes back live with a fresh init', async () => {
    const srv = await feedServer();
    const { c, states } = makeClient(srv.port, null);
    c.start();
    await until(() => c.state === 'live');
    await srv.stop();
    await until(() => c.state === 'reconnecting', 2000);
    const again = await feedServer(srv.port);
    again.set((s) => (s.cluster = { ...s.cluster, name: 'beta' }));
    await until(() => c.state === 'live' && c.snapshot?.cluster.name === 'beta', 8000);
    expect(states).toContain('reconnecting');
  });

  it('drops a silent feed (no heartbeat) within the stale window', async () => {
    // A server that sends init and then nothing at all.
    const server = createServer();
    const wss = new WebSocketServer({ server });
    let connections = 0;
    wss.on('connection', (ws) => {
      connections++;
      ws.send(JSON.stringify({ type: 'init', seq: 1, at: Date.now(), snapshot: snapshot() }));
    });
    const port = await listen(server);
    cleanups.push(async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    });
    const { c } = makeClient(port, null, 600);
    c.start();
    await until(() => c.state === 'live');
    const t0 = Date.now();
    await until(() => c.state === 'reconnecting', 2000);
    expect(Date.now() - t0).toBeLessThan(1200);
    await until(() => connections >= 2, 3000); // and it dials again
  });

  it('missed patch: a seq gap makes the client drop the connection and start over from a fresh init', async () => {
    const server = createServer();
    const wss = new WebSocketServer({ server });
    let connections = 0;
    wss.on('connection', (ws, req) => {
      connections++;
      expect(req.url).toContain('v=2');
      const init = snapshot();
      init.cluster = { ...init.cluster, name: `dial-${connections}` };
      ws.send(JSON.stringify({ type: 'init', seq: 1, at: Date.now(), snapshot: init }));
      // seq 2 never arrives: this patch must not be applied on top of seq 1.
      if (connections === 1) ws.send(JSON.stringify({ type: 'patch', seq: 3, at: Date.now(), changes: [{ path: 'replication.dr', patch: { set: { mode: 'primary' } } }] }));
    });
    const port = await listen(server);
    cleanups.push(async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    });
    const { c } = makeClient(port, null);
    c.start();
    await until(() => c.snapshot?.cluster.name === 'dial-2', 8000);
    expect(c.snapshot?.replication.dr.mode).not.toBe('primary');
  });

  it('gives up on a dial that opens but never sends init', async () => {
    const server = createServer();
    const wss = new WebSocketServer({ server });
    let connections = 0;
    wss.on('connection', () => connections++);
    const port = await listen(server);
    cleanups.push(async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    });
    const { c, states } = makeClient(port, null, 500);
    c.start();
    await until(() => connections >= 2, 3000);
    expect(states).toEqual(expect.arrayContaining(['connecting', 'reconnecting']));
    expect(states).not.toContain('live');
  });

  it('falls back to an anonymous subscription when its token is refused', async () => {
    const srv = await feedServer();
    const { c, states } = makeClient(srv.port, 'revoked');
    c.start();
    await until(() => c.state === 'live', 5000);
    expect(states).toContain('reconnecting');
  });

  it('sends its token in a subprotocol, never in the URL', async () => {
    const seen: string[] = [];
    const srv = await feedServer(0, (t) => (seen.push(t), t === 'good'));
    const urls: string[] = [];
    const Spy = class extends NodeWebSocket {
      constructor(url: string, protocols?: string[]) {
        urls.push(url);
        super(url, protocols);
      }
    } as unknown as new (url: string, protocols?: string[]) => WebSocket;
    const c = new StatusFeedClient({ clusterAddr: `http://127.0.0.1:${srv.port}`, token: 'good', WebSocketImpl: Spy });
    cleanups.push(() => c.stop());
    c.start();
    await until(() => c.state === 'live');
    expect(seen).toEqual(['good']);
    expect(urls.every((u) => !u.includes('good') && !u.includes('token'))).toBe(true);
  });

  it('stop() closes the socket and stays stopped', async () => {
    const srv = await feedServer();
    const { c } = makeClient(srv.port, null);
    c.start();
    await until(() => c.state === 'live');
    c.stop();
    expect(c.state).toBe('stopped');
    srv.set((s) => (s.seal = { ...s.seal, sealed: true }));
    await new Promise((r) => setTimeout(r, 300));
    expect(c.snapshot?.seal.sealed).toBe(false);
    expect(c.state).toBe('stopped');
  });
});

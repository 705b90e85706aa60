import net, { createServer, type Server, type Socket } from 'node:net';
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { certFingerprint, createReplicationCa, issueClientCert, issueServerCert, type CaMaterial, type LeafMaterial } from './ca';
import type { Frame } from './frames';
import {
  ALPN,
  dialCluster,
  parseClusterAddr,
  startClusterListener,
  TransportError,
  type AlpnProtocol,
  type ClusterListener,
  type FrameConnection,
  type PeerIdentity,
} from './transport';

// Real sockets on 127.0.0.1, real certificates from ca.ts.
let ca: CaMaterial;
let serverLeaf: LeafMaterial;
let client: LeafMaterial;
let revoked: LeafMaterial;
let foreignCa: CaMaterial;
let foreignClient: LeafMaterial;

beforeAll(() => {
  ca = createReplicationCa('primary');
  serverLeaf = issueServerCert(ca, ['localhost', '127.0.0.1']);
  client = issueClientCert(ca, 'sec-a');
  revoked = issueClientCert(ca, 'sec-revoked');
  foreignCa = createReplicationCa('stranger');
  foreignClient = issueClientCert(foreignCa, 'sec-a');
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Harness {
  listener: ClusterListener;
  addr: string;
  accepted: { conn: FrameConnection; peer: PeerIdentity }[];
  authorized: PeerIdentity[];
  handshakeErrors: Error[];
  nextConnection(): Promise<{ conn: FrameConnection; peer: PeerIdentity }>;
}

async function listen(opts: { revokedCns?: string[]; maxFrameBytes?: number; handshakeTimeoutMs?: number; maxPendingHandshakes?: number } = {}): Promise<Harness> {
  const accepted: Harness['accepted'] = [];
  const waiters: ((c: Harness['accepted'][number]) => void)[] = [];
  const h = { accepted, authorized: [] as PeerIdentity[], handshakeErrors: [] as Error[] } as Harness;
  h.listener = await startClusterListener({
    host: '127.0.0.1',
    port: 0,
    caPem: ca.certPem,
    certPem: serverLeaf.certPem,
    keyPem: serverLeaf.keyPem,
    maxFrameBytes: opts.maxFrameBytes,
    handshakeTimeoutMs: opts.handshakeTimeoutMs,
    maxPendingHandshakes: opts.maxPendingHandshakes,
    authorize: (peer) => {
      h.authorized.push(peer);
      return !(opts.revokedCns ?? []).includes(peer.commonName);
    },
    onConnection: (conn, peer) => {
      const c = { conn, peer };
      accepted.push(c);
      waiters.shift()?.(c);
    },
    onHandshakeError: (err) => h.handshakeErrors.push(err),
  });
  h.addr = `https://127.0.0.1:${h.listener.port}`;
  h.nextConnection = () =>
    accepted.length > waiters.length ? Promise.resolve(accepted[waiters.length]) : new Promise((r) => waiters.push(r));
  cleanups.push(() => h.listener.close());
  return h;
}

async function dial(h: Harness, leaf: LeafMaterial = client, alpn: AlpnProtocol = ALPN.perf, extra: { caPem?: string; servername?: string } = {}) {
  const conn = await dialCluster({ addr: h.addr, caPem: extra.caPem ?? ca.certPem, certPem: leaf.certPem, keyPem: leaf.keyPem, alpn, servername: extra.servername });
  cleanups.push(() => conn.destroy());
  return conn;
}

function nextFrame(conn: FrameConnection): Promise<Frame> {
  return new Promise((resolve) => {
    let done = false;
    conn.onFrame((f) => {
      if (!done) {
        done = true;
        resolve(f);
      }
    });
  });
}

const closed = (conn: FrameConnection) => new Promise<Error | undefined>((r) => conn.onClose(r));

async function dialError(p: Promise<unknown>): Promise<TransportError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TransportError);
  return err as TransportError;
}

describe('cluster transport: mutual TLS', () => {
  it('connects with correct certs over TLSv1.3 with the requested ALPN, and frames flow both ways', async () => {
    const h = await listen();
    const conn = await dial(h);
    const { conn: server, peer } = await h.nextConnection();

    expect(conn.tlsVersion).toBe('TLSv1.3');
    expect(conn.alpn).toBe('replication_v1');
    expect(server.tlsVersion).toBe('TLSv1.3');
    expect(peer).toEqual({ commonName: 'sec-a', serial: client.serial, fingerprint: certFingerprint(client.certPem), alpn: 'replication_v1' });
    expect(h.authorized).toEqual([peer]);
    expect(conn.peer).toMatchObject({ commonName: 'localhost', serial: serverLeaf.serial, fingerprint: certFingerprint(serverLeaf.certPem) });

    const hello: Frame = {
      type: 'hello',
      mode: 'performance',
      secondaryId: 'sec-a',
      position: { index: 3, guard: 'ff'.repeat(16) },
      clusterId: 'c1',
      apiAddr: 'https://127.0.0.1:8200',
      clusterAddr: 'https://127.0.0.1:8201',
      epoch: 1,
      needsBootstrap: false,
    };
    const atServer = nextFrame(server);
    await conn.send(hello);
    expect(await atServer).toEqual(hello);

    const atClient = nextFrame(conn);
    const ack: Frame = { type: 'hello-ack', clusterId: 'c1', lastIndex: 9, epoch: 1, apiAddr: 'http://127.0.0.1:8200', clusterAddr: 'https://127.0.0.1:8201' };
    await server.send(ack);
    expect(await atClient).toEqual(ack);
  });

  it.each([ALPN.dr, ALPN.forward])('negotiates %s when the dialer asks for it', async (alpn) => {
    const h = await listen();
    const conn = await dial(h, client, alpn);
    const { peer } = await h.nextConnection();
    expect(conn.alpn).toBe(alpn);
    expect(peer.alpn).toBe(alpn);
  });

  it('refuses a client without a certificate (alert after secureConnect) before the dialer resolves', async () => {
    const h = await listen();
    const err = await dialError(dialCluster({ addr: h.addr, caPem: ca.certPem, certPem: '', keyPem: '', alpn: ALPN.perf }));
    expect(err.reason).toBe('handshake');
    expect(err.message).toMatch(/certificate required/i);
    expect(h.accepted).toHaveLength(0);
    expect(h.authorized).toHaveLength(0);
  });

  it('drops a raw TLS client without a certificate, never handing it to onConnection', async () => {
    const h = await listen();
    const sock = tls.connect({ host: '127.0.0.1', port: h.listener.port, ca: ca.certPem, servername: 'localhost', ALPNProtocols: [ALPN.perf] });
    const got: Buffer[] = [];
    sock.on('data', (d: Buffer) => got.push(d));
    const outcome = await new Promise<string>((r) => {
      sock.on('error', (e) => r(e.message));
      sock.on('close', () => r('closed'));
    });
    sock.destroy();
    expect(outcome).toMatch(/certificate required|closed/);
    expect(got).toHaveLength(0); // no `accepted` frame ever sent
    expect(h.accepted).toHaveLength(0);
    expect(h.handshakeErrors.length).toBeGreaterThan(0);
  });

  it('refuses a client whose certificate comes from another CA', async () => {
    const h = await listen();
    const err = await dialError(dial(h, foreignClient));
    // Node drops an unverifiable cert without a TLS alert: the dialer sees a close before `accepted`.
    expect(err.reason).toBe('closed');
    expect(err.message).toMatch(/closed the connection before accepting it/);
    expect(h.accepted).toHaveLength(0);
    expect(h.authorized).toHaveLength(0);
    await vi.waitFor(() => expect(h.handshakeErrors.map((e) => e.message).join()).toMatch(/client certificate rejected: UNABLE_TO_VERIFY_LEAF_SIGNATURE/));
  });

  it('refuses a revoked peer with a clear reason once authorize says no', async () => {
    const h = await listen({ revokedCns: ['sec-revoked'] });
    const err = await dialError(dial(h, revoked));
    expect(err.reason).toBe('refused');
    expect(err.message).toMatch(/refused the connection: peer "sec-revoked" is not authorized/);
    expect(h.authorized.map((p) => p.serial)).toEqual([revoked.serial]);
    expect(h.accepted).toHaveLength(0);
    // The other secondaries are unaffected.
    await expect(dial(h, client)).resolves.toBeDefined();
  });

  it('rejects a server not signed by the CA the dialer trusts', async () => {
    const h = await listen();
    const err = await dialError(dial(h, client, ALPN.perf, { caPem: foreignCa.certPem }));
    expect(err.reason).toBe('handshake');
    expect(err.message).toMatch(/self.signed|unable to verify|unable to get local issuer/i);
  });

  it('checks the server certificate’s name against servername', async () => {
    const h = await listen();
    const err = await dialError(dial(h, client, ALPN.perf, { servername: 'primary.other.example' }));
    expect(err.message).toMatch(/primary\.other\.example/);
    await expect(dial(h, client, ALPN.perf, { servername: 'localhost' })).resolves.toBeDefined();
  });

  it('after updateCredentials (new CA), old certificates are refused and new ones work', async () => {
    const h = await listen();
    const newCa = createReplicationCa('promoted');
    const newServer = issueServerCert(newCa, ['127.0.0.1']);
    const newClient = issueClientCert(newCa, 'sec-a');
    h.listener.updateCredentials({ caPem: newCa.certPem, certPem: newServer.certPem, keyPem: newServer.keyPem });
    await dialError(dial(h, client));
    const conn = await dialCluster({ addr: h.addr, caPem: newCa.certPem, certPem: newClient.certPem, keyPem: newClient.keyPem, alpn: ALPN.dr });
    cleanups.push(() => conn.destroy());
    expect(conn.peer.fingerprint).toBe(certFingerprint(newServer.certPem));
  });

  it('dropPeer disconnects that peer only', async () => {
    const h = await listen();
    const a = await dial(h);
    const other = issueClientCert(ca, 'sec-b');
    const b = await dial(h, other);
    await h.nextConnection();
    const aClosed = closed(a);
    h.listener.dropPeer('sec-a');
    await aClosed;
    expect(a.closed).toBe(true);
    expect(b.closed).toBe(false);
    const err = await a.send({ type: 'ack', index: 1 }).catch((e: unknown) => e);
    expect((err as TransportError).reason).toBe('closed');
  });

  it('times out against a peer that never completes the handshake', async () => {
    const held: Socket[] = [];
    const silent: Server = createServer((s) => held.push(s)); // accepts TCP, never speaks TLS
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => {
      silent.close(() => r());
      for (const s of held) s.destroy();
    }));
    const port = (silent.address() as { port: number }).port;
    const started = Date.now();
    const err = await dialError(
      dialCluster({ addr: `127.0.0.1:${port}`, caPem: ca.certPem, certPem: client.certPem, keyPem: client.keyPem, alpn: ALPN.perf, timeoutMs: 300 }),
    );
    expect(err.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('cluster transport: frames', () => {
  it('round-trips a frame of several MiB', async () => {
    const h = await listen();
    const conn = await dial(h);
    const { conn: server } = await h.nextConnection();
    const value = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < value.length; i++) value[i] = (i * 31) & 0xff;
    const big: Frame = {
      type: 'wals',
      follows: { index: 0, guard: '' },
      records: [{ index: 1, key: 'logical/x/big', op: 'put', value: value.toString('base64'), cls: 'replicated', guard: '00'.repeat(16) }],
      at: Date.now(),
      lastIndex: 1,
      lastGuard: '00'.repeat(16),
    };
    const got = nextFrame(server);
    await conn.send(big);
    const frame = await got;
    expect(frame.type).toBe('wals');
    const rec = (frame as Extract<Frame, { type: 'wals' }>).records[0];
    expect(Buffer.from(rec.value!, 'base64').equals(value)).toBe(true);
  });

  it('closes the connection with an error when a frame exceeds the limit', async () => {
    const h = await listen({ maxFrameBytes: 1024 * 1024 });
    const conn = await dial(h);
    const { conn: server } = await h.nextConnection();
    const serverFrames: Frame[] = [];
    server.onFrame((f) => serverFrames.push(f));
    const serverClosed = closed(server);
    const clientFrame = nextFrame(conn);
    const clientClosed = closed(conn);

    await conn.send({ type: 'error', message: 'x'.repeat(2 * 1024 * 1024) }).catch(() => {});
    const serverErr = await serverClosed;
    expect(serverErr?.message).toMatch(/exceeds the 1048576-byte limit/);
    expect(await clientFrame).toMatchObject({ type: 'error', message: expect.stringMatching(/exceeds/) });
    await clientClosed;
    expect(conn.closed).toBe(true);
    expect(serverFrames).toHaveLength(0);
  });

  it('refuses to send a frame over its own limit without closing', async () => {
    const h = await listen();
    const conn = await dialCluster({ addr: h.addr, caPem: ca.certPem, certPem: client.certPem, keyPem: client.keyPem, alpn: ALPN.perf, maxFrameBytes: 100 });
    cleanups.push(() => conn.destroy());
    await expect(conn.send({ type: 'error', message: 'y'.repeat(200) })).rejects.toThrow(/exceeds the 100-byte limit/);
    expect(conn.closed).toBe(false);
    await conn.send({ type: 'ack', index: 1 });
  });

  it('delivers many frames in order under backpressure', async () => {
    const h = await listen();
    const conn = await dial(h);
    const { conn: server } = await h.nextConnection();
    const N = 200;
    const seen: number[] = [];
    const all = new Promise<void>((r) =>
      server.onFrame((f) => {
        if (f.type === 'heartbeat') seen.push(f.seq);
        if (seen.length === N) r();
      }),
    );
    const pad = 'z'.repeat(64 * 1024);
    let waited = 0;
    for (let seq = 0; seq < N; seq++) {
      const p = conn.send({ type: 'heartbeat', lastIndex: 0, primaryTime: Date.now(), seq, pad } as Frame);
      // An already-resolved p wins the race; a pending one means send is waiting for 'drain'.
      if ((await Promise.race([p, Promise.resolve('pending')])) === 'pending') waited++;
      await p;
    }
    await all;
    expect(seen).toEqual([...Array(N).keys()]);
    expect(waited).toBeGreaterThan(0); // some sends had to wait for 'drain'
  });

  it('close() ends gracefully and the peer sees a clean close', async () => {
    const h = await listen();
    const conn = await dial(h);
    const { conn: server } = await h.nextConnection();
    const got = nextFrame(server);
    const serverClosed = closed(server);
    void conn.send({ type: 'ack', index: 5 });
    await conn.close();
    expect(await got).toEqual({ type: 'ack', index: 5 });
    expect(await serverClosed).toBeUndefined();
  });
});

describe('cluster transport: unauthenticated connections', () => {
  const tcp = (port: number) =>
    new Promise<{ socket: Socket; closed: Promise<void> }>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      socket.on('error', () => {});
      socket.once('connect', () => resolve({ socket, closed }));
      socket.once('error', reject);
    });

  it('closes a TCP connection that never starts the TLS handshake after handshakeTimeoutMs', async () => {
    const h = await listen({ handshakeTimeoutMs: 300 });
    const started = Date.now();
    const idle = await tcp(h.listener.port);
    await idle.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(h.accepted).toEqual([]);
  });

  it('closes connections beyond maxPendingHandshakes at once; a real peer gets in when slots free up', async () => {
    const h = await listen({ handshakeTimeoutMs: 60_000, maxPendingHandshakes: 3 });
    const held = await Promise.all([1, 2, 3].map(() => tcp(h.listener.port)));
    const extra = await tcp(h.listener.port);
    await extra.closed; // refused while three handshakes are pending
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    await vi.waitFor(async () => {
      const conn = await dial(h);
      expect(conn.peer.commonName).toBe('localhost');
    });
  });
});

describe('parseClusterAddr', () => {
  it.each([
    ['https://10.0.0.1:8201', { host: '10.0.0.1', port: 8201 }],
    ['127.0.0.1:9301', { host: '127.0.0.1', port: 9301 }],
    ['primary.internal:8201', { host: 'primary.internal', port: 8201 }],
    ['https://[::1]:8201', { host: '::1', port: 8201 }],
    ['https://primary.internal', { host: 'primary.internal', port: 8201 }],
  ])('%s', (addr, want) => {
    expect(parseClusterAddr(addr)).toEqual(want);
  });
});

describe('cluster listener: a taken port', () => {
  // rejoin-position.test.ts once saw promote answer a bare 500: the promoted
  // cluster's port was taken, and the error did not say which one.
  it('a cluster port already in use fails with an error naming the address', async () => {
    const taken = await listen();
    const err = await dialError(
      startClusterListener({ host: '127.0.0.1', port: taken.listener.port, caPem: ca.certPem, certPem: serverLeaf.certPem, keyPem: serverLeaf.keyPem, authorize: () => true, onConnection: () => {} }),
    );
    expect(err.reason).toBe('listen');
    expect(err.message).toContain(`cannot listen on the cluster address 127.0.0.1:${taken.listener.port}`);
    expect(err.message).toContain('EADDRINUSE');
  });
});

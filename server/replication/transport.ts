import { createHash } from 'node:crypto';
import { isIP, type Socket } from 'node:net';
import tls from 'node:tls';
import { encodeFrame, FrameDecoder, MAX_FRAME_BYTES, type Frame } from './frames';

// The cluster port: TLS 1.3, mutual auth by the replication CA, ALPN picking
// the protocol, length-prefixed frames inside (ARCHITECTURE.md; rqlite
// internal/rtls/config.go: build the mTLS config in one place, verify peers).
//
// Accept handshake. Under TLS 1.3 a client's secureConnect fires before the
// server has checked the client certificate; a rejection arrives as an alert
// on the first read (PLATFORM.md). So the listener, once it has verified and
// authorized the peer, sends one `accepted` frame (or `refused` {reason} and
// closes), and dialCluster resolves only after `accepted`. A caller holding a
// FrameConnection therefore knows the primary took it.

/** fence: the epoch exchange, a promoted primary telling its former primary that it leads now (fencing.ts). */
export const ALPN = { perf: 'replication_v1', dr: 'replication_dr_v1', forward: 'req_fw_sb-act_v1', fence: 'replication_fence_v1' } as const;
export type AlpnProtocol = (typeof ALPN)[keyof typeof ALPN];
const ALL_ALPN: AlpnProtocol[] = Object.values(ALPN);

export const DEFAULT_CLUSTER_PORT = 8201;
export const DEFAULT_DIAL_TIMEOUT_MS = 10_000;
export const SERVER_HANDSHAKE_TIMEOUT_MS = 10_000;
/**
 * Connections that have not finished the mutual-TLS handshake yet. Past this,
 * a new TCP connection is closed at once: unauthenticated peers cannot hold
 * file descriptors without bound. Secondaries dial one connection per stream,
 * so legitimate handshakes in flight are few.
 */
export const MAX_PENDING_HANDSHAKES = 64;
/** At most one "too many pending handshakes" log line per this interval. */
const CAP_LOG_INTERVAL_MS = 10_000;
/** How long a closing side waits for its last frame (refused/error) to flush before destroying. */
const LINGER_MS = 1_000;
const KEEPALIVE_MS = 15_000;

export interface ClusterCredentials {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** Identity of the remote end's certificate; serial and fingerprint are lower-case hex. */
export interface PeerIdentity {
  commonName: string;
  serial: string;
  fingerprint: string;
  alpn: AlpnProtocol;
}

export type TransportErrorReason = 'refused' | 'handshake' | 'timeout' | 'closed' | 'protocol' | 'listen';

export class TransportError extends Error {
  constructor(
    readonly reason: TransportErrorReason,
    msg: string,
    opts?: ErrorOptions,
  ) {
    super(msg, opts);
    this.name = 'TransportError';
  }
}

/** A framed, mutually authenticated cluster connection. */
export interface FrameConnection {
  readonly alpn: AlpnProtocol;
  /** The remote certificate: a secondary's client cert on the listener side, the listener's cert on a dialed connection. */
  readonly peer: PeerIdentity;
  readonly remoteAddress: string;
  /** Negotiated TLS version, always 'TLSv1.3'. */
  readonly tlsVersion: string;
  readonly closed: boolean;
  /** Largest frame payload either end accepts; batch senders cut their frames well below it (frame-budget.ts). */
  readonly maxFrameBytes: number;
  /**
   * Queue a frame. Resolves at once while the socket buffer is below its high
   * water mark, else on 'drain': await it in loops that produce many frames.
   * Rejects if the connection is closed or the frame is too large; the promise
   * is pre-handled, so fire-and-forget callers do not crash the process.
   */
  send(frame: Frame): Promise<void>;
  /** Frames that arrive before the first listener is registered are queued, not lost. */
  onFrame(cb: (frame: Frame) => void): void;
  /** Called once; err is set when the connection failed rather than ended. */
  onClose(cb: (err?: Error) => void): void;
  /** Flush queued frames, then end. */
  close(): Promise<void>;
  destroy(err?: Error): void;
}

export interface ClusterServerOptions extends ClusterCredentials {
  host: string;
  port: number;
  maxFrameBytes?: number;
  /** Default SERVER_HANDSHAKE_TIMEOUT_MS: a TCP connection that has not completed the TLS handshake by then is closed. */
  handshakeTimeoutMs?: number;
  /** Default MAX_PENDING_HANDSHAKES. */
  maxPendingHandshakes?: number;
  /** Called after the handshake for an authorized peer; return false to refuse (e.g. a revoked secondary's serial/CN). */
  authorize(peer: PeerIdentity): boolean;
  onConnection(conn: FrameConnection, peer: PeerIdentity): void;
  /** A TLS handshake failed (no client cert, foreign CA…): for logs; the socket is already gone. */
  onHandshakeError?(err: Error, remoteAddress: string | undefined): void;
}

export interface ClusterListener {
  port: number;
  close(): Promise<void>;
  /** Swap CA/cert/key for new handshakes (TLS setSecureContext); live connections keep theirs. */
  updateCredentials(c: ClusterCredentials): void;
  /** Disconnect every live connection whose peer certificate has this CN. */
  dropPeer(commonName: string): void;
}

export interface DialOptions extends ClusterCredentials {
  /** https://host:port or host:port. */
  addr: string;
  alpn: AlpnProtocol;
  /** Name the server certificate must carry (default: the host of addr). */
  servername?: string;
  timeoutMs?: number;
  maxFrameBytes?: number;
}

/**
 * The one place the cluster port's TLS settings live, for both sides: TLS 1.3
 * only, peers verified against the replication CA. `ca` replaces the system
 * roots, so nothing but that CA is trusted in either direction. The listener
 * adds requestCert and the ALPN list; the dialer adds its ALPN and identity.
 */
function mtlsOptions(c: ClusterCredentials) {
  return { ca: c.caPem, cert: c.certPem, key: c.keyPem, minVersion: 'TLSv1.3' as const, rejectUnauthorized: true };
}

export function startClusterListener(opts: ClusterServerOptions): Promise<ClusterListener> {
  const maxFrameBytes = opts.maxFrameBytes ?? MAX_FRAME_BYTES;
  const conns = new Set<TlsFrameConnection>();
  const rawSockets = new Set<Socket>();
  const maxPending = opts.maxPendingHandshakes ?? MAX_PENDING_HANDSHAKES;
  let secured = 0; // open connections past the handshake; the rest of rawSockets are pending
  let capLoggedAt = 0;
  const server = tls.createServer({
    ...mtlsOptions(opts),
    requestCert: true,
    ALPNProtocols: ALL_ALPN,
    handshakeTimeout: opts.handshakeTimeoutMs ?? SERVER_HANDSHAKE_TIMEOUT_MS,
  });

  server.on('connection', (raw: Socket) => {
    if (rawSockets.size - secured >= maxPending) {
      raw.destroy();
      if (Date.now() - capLoggedAt > CAP_LOG_INTERVAL_MS) {
        capLoggedAt = Date.now();
        opts.onHandshakeError?.(new TransportError('refused', `too many connections still in the TLS handshake (${maxPending}); closing new ones`), raw.remoteAddress);
      }
      return;
    }
    rawSockets.add(raw);
    raw.once('close', () => rawSockets.delete(raw));
  });
  server.on('tlsClientError', (err, socket) => {
    // Node reports a handshake timeout here but leaves the socket open: close it.
    socket.destroy();
    // A certificate that fails verification (foreign CA, expired) is dropped by
    // Node without a TLS alert, and the error here is a bare "socket hang up";
    // authorizationError holds the real reason.
    const why = socket.authorizationError;
    const e = why ? new TransportError('handshake', `client certificate rejected: ${String(why)}`, { cause: err }) : err;
    opts.onHandshakeError?.(e, socket.remoteAddress);
  });
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    secured++;
    socket.once('close', () => secured--);
    socket.on('error', () => {}); // handled by the connection, or irrelevant once refused
    const refuse = (reason: string) => lingerEnd(socket, encodeFrame({ type: 'refused', reason }));
    const alpn = socket.alpnProtocol;
    if (!isAlpn(alpn)) return refuse(`unsupported protocol ${JSON.stringify(alpn)}`);
    // rejectUnauthorized already dropped peers without a valid cert from our CA; belt and braces.
    const peer = socket.authorized ? peerOf(socket, alpn) : null;
    if (!peer) return socket.destroy();
    let allowed = false;
    try {
      allowed = opts.authorize(peer);
    } catch {
      allowed = false;
    }
    if (!allowed) return refuse(`peer "${peer.commonName}" is not authorized on this cluster`);

    const conn = new TlsFrameConnection(socket, peer, maxFrameBytes, false);
    conns.add(conn);
    conn.onClose(() => conns.delete(conn));
    void conn.send({ type: 'accepted' });
    try {
      opts.onConnection(conn, peer);
    } catch (err) {
      conn.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  });

  return new Promise((resolve, reject) => {
    // Name the address: a bare EADDRINUSE from a promote says nothing about which port to free.
    const failed = (err: Error) => reject(new TransportError('listen', `cannot listen on the cluster address ${opts.host}:${opts.port}: ${err.message}`, { cause: err }));
    server.once('error', failed);
    server.listen(opts.port, opts.host, () => {
      server.off('error', failed);
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : opts.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const conn of conns) conn.destroy(new TransportError('closed', 'cluster listener closed'));
            for (const raw of rawSockets) raw.destroy();
          }),
        updateCredentials: (c) => server.setSecureContext(mtlsOptions(c)),
        dropPeer: (commonName) => {
          for (const conn of conns) {
            if (conn.peer.commonName === commonName) conn.destroy(new TransportError('closed', `peer "${commonName}" dropped`));
          }
        },
      });
    });
  });
}

export function dialCluster(opts: DialOptions): Promise<FrameConnection> {
  const { host, port } = parseClusterAddr(opts.addr);
  const where = `${host}:${port}`;
  const identity = opts.servername ?? host;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      ...mtlsOptions(opts),
      host,
      port,
      ALPNProtocols: [opts.alpn],
      servername: isIP(identity) ? undefined : identity, // SNI may not carry an IP (RFC 6066)
      // Full verification against our CA, with the SAN check done for `identity`
      // (servername, else the dialed host) rather than whatever SNI was sent.
      checkServerIdentity: (_host, cert) => tls.checkServerIdentity(identity, cert),
    });
    let settled = false;
    const settle = (err: Error | null, conn?: FrameConnection) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve(conn!);
    };
    const onError = (e: Error) => settle(new TransportError('handshake', `cluster connection to ${where} failed: ${e.message}`, { cause: e }));
    // A client certificate the listener cannot verify (another CA) ends here: Node
    // drops it without an alert, so all the dialer sees is the close.
    const onClose = () =>
      settle(new TransportError('closed', `cluster at ${where} closed the connection before accepting it (is this node's certificate from the cluster's CA?)`));
    const timer = setTimeout(
      () => settle(new TransportError('timeout', `cluster connection to ${where} not accepted within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.once('secureConnect', () => {
      const alpn = socket.alpnProtocol;
      if (alpn !== opts.alpn) {
        return settle(new TransportError('handshake', `cluster at ${where} did not accept protocol ${opts.alpn} (got ${JSON.stringify(alpn)})`));
      }
      const peer = peerOf(socket, alpn);
      if (!peer) return settle(new TransportError('handshake', `cluster at ${where} presented no usable certificate`));
      const conn = new TlsFrameConnection(socket, peer, opts.maxFrameBytes ?? MAX_FRAME_BYTES, true);
      conn.accepted.then(
        () => settle(null, conn),
        (err: Error) =>
          settle(
            err instanceof TransportError && err.reason === 'refused'
              ? new TransportError('refused', `cluster at ${where} refused the connection: ${err.message}`, { cause: err })
              : new TransportError('handshake', `cluster connection to ${where} failed before it was accepted: ${err.message}`, { cause: err }),
          ),
      );
    });
  });
}

/** Split `https://host:port`, `host:port` or `[v6]:port` into host and port. */
export function parseClusterAddr(addr: string): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(addr) ? addr : `tcp://${addr}`);
  } catch (cause) {
    throw new TransportError('handshake', `invalid cluster address ${JSON.stringify(addr)}`, { cause });
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new TransportError('handshake', `invalid cluster address ${JSON.stringify(addr)}: no host`);
  return { host, port: url.port ? Number(url.port) : DEFAULT_CLUSTER_PORT };
}

const isAlpn = (p: unknown): p is AlpnProtocol => typeof p === 'string' && (ALL_ALPN as string[]).includes(p);

function peerOf(socket: tls.TLSSocket, alpn: AlpnProtocol): PeerIdentity | null {
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.raw || typeof cert.subject?.CN !== 'string') return null;
  return {
    commonName: cert.subject.CN,
    serial: cert.serialNumber.toLowerCase(),
    fingerprint: createHash('sha256').update(cert.raw).digest('hex'), // = certFingerprint(pem) in ca.ts
    alpn,
  };
}

/** Send a last frame and end; destroy if the peer does not finish the close in time. */
function lingerEnd(socket: tls.TLSSocket, last: Buffer): void {
  socket.end(last);
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

const handled = <T>(p: Promise<T>): Promise<T> => {
  p.catch(() => {});
  return p;
};

class TlsFrameConnection implements FrameConnection {
  readonly remoteAddress: string;
  readonly tlsVersion: string;
  /** Dialed side: settles on the listener's `accepted` / `refused` frame. */
  readonly accepted: Promise<void>;
  private acceptPending: boolean;
  private resolveAccepted = () => {};
  private rejectAccepted: (e: Error) => void = () => {};
  private readonly decoder: FrameDecoder;
  private readonly frameListeners: ((f: Frame) => void)[] = [];
  private readonly closeListeners: ((err?: Error) => void)[] = [];
  private readonly queue: Frame[] = [];
  private drainWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;
  private isClosed = false;
  private broken = false;

  constructor(
    private readonly socket: tls.TLSSocket,
    readonly peer: PeerIdentity,
    readonly maxFrameBytes: number,
    awaitAccept: boolean,
  ) {
    this.decoder = new FrameDecoder(maxFrameBytes);
    this.remoteAddress = `${socket.remoteAddress}:${socket.remotePort}`;
    this.tlsVersion = socket.getProtocol() ?? 'unknown';
    this.acceptPending = awaitAccept;
    this.accepted = handled(
      new Promise<void>((res, rej) => {
        this.resolveAccepted = res;
        this.rejectAccepted = rej;
      }),
    );
    if (!awaitAccept) this.resolveAccepted();
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_MS);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.settleDrain(null));
    socket.on('error', (err) => (this.failure ??= err));
    socket.on('close', () => this.onSocketClose());
  }

  get alpn(): AlpnProtocol {
    return this.peer.alpn;
  }
  get closed(): boolean {
    return this.isClosed;
  }

  send(frame: Frame): Promise<void> {
    if (this.isClosed || !this.socket.writable) {
      return handled(Promise.reject(new TransportError('closed', `cannot send ${frame.type}: connection closed`)));
    }
    let buf: Buffer;
    try {
      buf = encodeFrame(frame, this.maxFrameBytes);
    } catch (err) {
      return handled(Promise.reject(err));
    }
    if (this.socket.write(buf)) return Promise.resolve();
    return handled(new Promise((resolve, reject) => this.drainWaiters.push({ resolve, reject })));
  }

  onFrame(cb: (frame: Frame) => void): void {
    this.frameListeners.push(cb);
    queueMicrotask(() => this.flush());
  }

  onClose(cb: (err?: Error) => void): void {
    if (this.isClosed) queueMicrotask(() => cb(this.failure));
    else this.closeListeners.push(cb);
  }

  close(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    return new Promise((resolve) => {
      this.closeListeners.push(() => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), LINGER_MS).unref();
    });
  }

  destroy(err?: Error): void {
    if (err) this.failure ??= err;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.broken) return;
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      // Oversized or malformed: tell the peer why, then hang up.
      this.broken = true;
      const e = err as Error;
      this.failure ??= e;
      lingerEnd(this.socket, encodeFrame({ type: 'error', message: e.message }));
      return;
    }
    for (const frame of frames) {
      if (this.acceptPending) {
        this.acceptPending = false;
        if (frame.type === 'accepted') this.resolveAccepted();
        else if (frame.type === 'refused') return this.failAccept(new TransportError('refused', frame.reason));
        else return this.failAccept(new TransportError('protocol', `expected accepted, got ${frame.type}`));
        continue;
      }
      if (frame.type === 'accepted') return this.destroy(new TransportError('protocol', 'unexpected accepted frame'));
      this.queue.push(frame);
    }
    this.flush();
  }

  private failAccept(err: Error): void {
    this.broken = true;
    this.failure ??= err;
    this.rejectAccepted(err);
    this.socket.destroy();
  }

  /** Deliver queued frames in order; pause reading while nobody listens. */
  private flush(): void {
    if (this.frameListeners.length === 0) {
      if (this.queue.length > 0) this.socket.pause();
      return;
    }
    // Frames that arrived before a close are still delivered: the last one is often
    // the `error` frame explaining the close.
    while (this.queue.length > 0) {
      const frame = this.queue.shift()!;
      try {
        for (const cb of this.frameListeners) cb(frame);
      } catch (err) {
        this.queue.length = 0;
        this.broken = true;
        const cause = err instanceof Error ? err : new Error(String(err));
        return this.destroy(new TransportError('protocol', `${frame.type} handler failed: ${cause.message}`, { cause }));
      }
    }
    if (this.socket.isPaused()) this.socket.resume();
  }

  private settleDrain(err: Error | null): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) (err ? w.reject(err) : w.resolve());
  }

  private onSocketClose(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const err = this.failure;
    this.rejectAccepted(err ?? new TransportError('closed', 'connection closed'));
    this.settleDrain(new TransportError('closed', 'connection closed', { cause: err }));
    for (const cb of this.closeListeners.splice(0)) cb(err);
  }
}

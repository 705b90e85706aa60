import { decodeFrame, encodeFrame, MAX_FRAME_BYTES, type Frame } from './frames';
import { ALPN, TransportError, type AlpnProtocol, type FrameConnection, type PeerIdentity } from './transport';

// An in-memory FrameConnection pair (vault's inmem physical backend, for the
// transport): the data plane's unit tests drive a real PrimaryStream and
// SecondaryRunner over it. Every frame goes through the real codec (encode,
// size limit, decode), delivery is asynchronous and in order, and a test can
// watch, drop or rewrite frames in flight, or freeze the link to play a
// stalled peer.

export type Direction = 'a→b' | 'b→a';

export interface MemoryLinkOptions {
  maxFrameBytes?: number;
  alpn?: AlpnProtocol;
  /** Certificate CN each end sees for the other: a's peer is `peerOfA` (the secondary's CN on the primary's end). */
  peerOfA?: string;
  peerOfB?: string;
  /** Called for each frame in flight with its encoded size; return null to drop it, or a replacement. */
  tap?: (frame: Frame, dir: Direction, bytes: number) => Frame | null;
}

export interface MemoryLink {
  a: FrameConnection;
  b: FrameConnection;
  /** Hold every frame and close in both directions, as a frozen peer would. */
  freeze(): void;
  /** Deliver what was held, and resume. */
  thaw(): void;
}

export function memoryConnectionPair(opts: MemoryLinkOptions = {}): MemoryLink {
  const max = opts.maxFrameBytes ?? MAX_FRAME_BYTES;
  const alpn = opts.alpn ?? ALPN.perf;
  const peer = (commonName: string): PeerIdentity => ({ commonName, serial: '', fingerprint: '', alpn });
  const link = { frozen: false, held: [] as (() => void)[] };
  const run = (fn: () => void) => (link.frozen ? link.held.push(fn) : setImmediate(fn));
  const a = new MemoryConnection(peer(opts.peerOfA ?? 'secondary'), max, run, 'a→b', opts.tap);
  const b = new MemoryConnection(peer(opts.peerOfB ?? 'primary'), max, run, 'b→a', opts.tap);
  a.remote = b;
  b.remote = a;
  return {
    a,
    b,
    freeze: () => void (link.frozen = true),
    thaw: () => {
      link.frozen = false;
      for (const fn of link.held.splice(0)) setImmediate(fn);
    },
  };
}

class MemoryConnection implements FrameConnection {
  remote!: MemoryConnection;
  readonly remoteAddress = 'memory';
  readonly tlsVersion = 'TLSv1.3';
  private readonly frameListeners: ((f: Frame) => void)[] = [];
  private readonly closeListeners: ((err?: Error) => void)[] = [];
  private readonly inbox: Frame[] = [];
  private isClosed = false;
  private failure: Error | undefined;

  constructor(
    readonly peer: PeerIdentity,
    readonly maxFrameBytes: number,
    private readonly run: (fn: () => void) => void,
    private readonly dir: Direction,
    private readonly tap: MemoryLinkOptions['tap'],
  ) {}

  get alpn(): AlpnProtocol {
    return this.peer.alpn;
  }
  get closed(): boolean {
    return this.isClosed;
  }

  send(frame: Frame): Promise<void> {
    if (this.isClosed) return handled(Promise.reject(new TransportError('closed', `cannot send ${frame.type}: connection closed`)));
    let buf: Buffer;
    try {
      buf = encodeFrame(frame, this.maxFrameBytes);
    } catch (err) {
      return handled(Promise.reject(err));
    }
    this.run(() => {
      const decoded = decodeFrame(buf, this.maxFrameBytes);
      const f = this.tap ? this.tap(decoded, this.dir, buf.length - 4) : decoded;
      if (f) this.remote.receive(f);
    });
    return Promise.resolve();
  }

  onFrame(cb: (frame: Frame) => void): void {
    this.frameListeners.push(cb);
    queueMicrotask(() => this.flush());
  }

  onClose(cb: (err?: Error) => void): void {
    if (this.isClosed) queueMicrotask(() => cb(this.failure));
    else this.closeListeners.push(cb);
  }

  async close(): Promise<void> {
    this.shutdown(undefined);
  }

  destroy(err?: Error): void {
    this.shutdown(err);
  }

  /** Frames already sent still arrive; then both ends close, the remote after them. */
  private shutdown(err: Error | undefined): void {
    if (this.isClosed) return;
    this.failure ??= err;
    this.finish();
    this.run(() => this.remote.finish());
  }

  private receive(f: Frame): void {
    if (this.isClosed) return;
    this.inbox.push(f);
    this.flush();
  }

  private flush(): void {
    if (!this.frameListeners.length) return;
    while (this.inbox.length) {
      const f = this.inbox.shift()!;
      for (const cb of this.frameListeners) cb(f);
    }
  }

  private finish(): void {
    if (this.isClosed) return;
    this.flush();
    this.isClosed = true;
    for (const cb of this.closeListeners.splice(0)) cb(this.failure);
  }
}

const handled = <T>(p: Promise<T>): Promise<T> => {
  p.catch(() => {});
  return p;
};

import { connect, createServer, type Server, type Socket } from 'node:net';

// A pass-through TCP proxy on loopback, for fault tests: put it between a
// secondary and its primary's cluster port, then cut or stall the link while
// both processes keep running. It never looks inside the stream (the TLS
// session runs end to end through it).
export interface TcpProxy {
  port: number;
  /** host:port to dial instead of the target. */
  address: string;
  /** Connections accepted so far (each reconnect counts). */
  readonly accepted: number;
  /** Live client↔target pairs. */
  live(): number;
  /** Bytes forwarded so far, each way (TLS records included: what crossed the wire). */
  bytes(): { toTarget: number; fromTarget: number };
  /** Destroy every live connection on both sides (RST where the platform can); new ones are still accepted. Returns how many were cut. */
  cutAll(): number;
  /** Stall: stop forwarding bytes on live connections and hold new ones unanswered, as a partition that drops nothing. */
  pause(): void;
  /** Forward again whatever was held. */
  resume(): void;
  /** Latency: hold every chunk this long before forwarding it, in order (0 = none). */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

function kill(s: Socket): void {
  // resetAndDestroy sends RST (a cut cable looks like that to the far end), else plain destroy.
  if (typeof s.resetAndDestroy === 'function' && !s.destroyed && s.readyState !== 'opening') s.resetAndDestroy();
  else s.destroy();
}

/** `listenPort`: where the proxy listens (default: any free port). */
export async function startTcpProxy(target: { host?: string; port: number }, listenPort = 0): Promise<TcpProxy> {
  const host = target.host ?? '127.0.0.1';
  const pairs = new Set<Pair>();
  let paused = false;
  let accepted = 0;
  const forwarded = { toTarget: 0, fromTarget: 0 };

  let latencyMs = 0;

  const pipe = (from: Socket, to: Socket, way: keyof typeof forwarded) => {
    // With latency, chunks wait in `held` (due times ascend, so order is kept); the end follows the last one.
    const held: { chunk: Buffer; due: number }[] = [];
    let timer: NodeJS.Timeout | null = null;
    let ended = false;
    const flush = () => {
      timer = null;
      if (paused) {
        timer = setTimeout(flush, 20);
        return;
      }
      while (held.length && held[0].due <= Date.now()) {
        const { chunk } = held.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (held.length) timer = setTimeout(flush, held[0].due - Date.now());
      else if (ended && !to.destroyed) to.end();
    };
    from.on('data', (chunk: Buffer) => {
      forwarded[way] += chunk.length;
      if (latencyMs > 0 || held.length) {
        held.push({ chunk, due: Math.max(Date.now() + latencyMs, held.length ? held[held.length - 1].due : 0) });
        if (!timer) timer = setTimeout(flush, held[0].due - Date.now());
        return;
      }
      if (!to.write(chunk)) from.pause();
    });
    to.on('drain', () => {
      if (!paused) from.resume();
    });
    from.on('end', () => {
      ended = true;
      if (!held.length) to.end();
    });
  };

  const server: Server = createServer((client) => {
    accepted += 1;
    client.setNoDelay(true);
    const upstream = connect({ host, port: target.port });
    upstream.setNoDelay(true);
    const pair = { client, upstream };
    pairs.add(pair);
    const drop = () => {
      if (!pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    pipe(client, upstream, 'toTarget');
    pipe(upstream, client, 'fromTarget');
    if (paused) {
      client.pause();
      upstream.pause();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  return {
    port,
    address: `127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    live: () => pairs.size,
    bytes: () => ({ ...forwarded }),
    cutAll() {
      const n = pairs.size;
      for (const p of [...pairs]) {
        pairs.delete(p);
        kill(p.client);
        kill(p.upstream);
      }
      return n;
    },
    pause() {
      paused = true;
      for (const p of pairs) {
        p.client.pause();
        p.upstream.pause();
      }
    },
    resume() {
      paused = false;
      for (const p of pairs) {
        p.client.resume();
        p.upstream.resume();
      }
    },
    setLatency(ms: number) {
      latencyMs = Math.max(0, ms);
    },
    close() {
      for (const p of [...pairs]) {
        pairs.delete(p);
        p.client.destroy();
        p.upstream.destroy();
      }
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

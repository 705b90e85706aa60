import { createServer } from 'node:net';

function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(null));
    s.listen(port, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/**
 * A free loopback port whose successor (the cluster port) is free too, below
 * the ephemeral range. It used to come from port 0, i.e. from inside that
 * range: a DR secondary binds its cluster port only when promoted, and by then
 * an outgoing connection of its own could hold that port as its local end, so
 * promote answered 500 (EADDRINUSE) once in a while (rejoin-position.test.ts).
 */
export async function freePortPair(): Promise<number> {
  return quietPort(true);
}

/**
 * Below Linux's ephemeral range (32768+), where port 0 and outgoing
 * connections never land: a port chosen here is not taken by another test's
 * freePortPair() or a client socket in the time between choosing it and a
 * server binding it (a primary binds its cluster port only when replication
 * is enabled, maybe seconds later).
 */
const QUIET_LOW = 20_000;
const QUIET_HIGH = 32_000;

/** Handed out by this process already: a pair's cluster port stays free until its server binds it, so free is not enough. */
const handedOut = new Set<number>();

/** A free port (or, with pair, a port whose successor is free too) outside the ephemeral range. */
export async function quietPort(pair = false): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = QUIET_LOW + Math.floor(Math.random() * (QUIET_HIGH - QUIET_LOW));
    const ports = pair ? [p, p + 1] : [p];
    if (ports.some((x) => handedOut.has(x))) continue;
    handedOut.add(p).add(p + 1); // synchronously, before any await: concurrent callers cannot pick it too
    let free = true;
    for (const x of ports) free = free && (await tryListen(x)) !== null;
    if (free) return p;
  }
  throw new Error('no free port found below the ephemeral range');
}

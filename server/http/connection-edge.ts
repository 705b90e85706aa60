import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { RequestFramer } from './list-method';
import { ReadDeadlines, type ReadDeadlineOptions } from './read-deadlines';

// How an accepted API connection reaches node:http. node:http gets the socket
// itself — its writes, backpressure and keep-alive timer stay native — and only
// the read side is interposed: the 'data' listener node:http attaches is
// replaced by one that runs each chunk through RequestFramer (Vault's LIST
// verb, request boundaries for the read deadlines) and passes the result on.
// This used to be a JS Duplex between the socket and node:http, which cost a
// bare node:http server about half its throughput (every read and write went
// through two stream layers); now a chunk without LIST reaches the parser
// unchanged and uncopied.
//
// When node:http lets a connection go (upgrade, CONNECT) it emits the event
// with the socket; from then on the bytes belong to whoever took it (the
// status feed's WebSocket), so the interposed listener removes itself.

type DataListener = (chunk: Buffer) => void;

const edges = new WeakMap<Duplex, () => void>();

function detach(socket: Duplex): void {
  edges.get(socket)?.();
}

/** Returns `accept(socket)`, which hands a new connection to `server` with the edge in place. */
export function connectionEdge(server: HttpServer, deadlines?: ReadDeadlineOptions): (socket: Socket) => void {
  server.prependListener('upgrade', (_req, socket: Duplex) => detach(socket));
  server.prependListener('connect', (_req, socket: Duplex) => detach(socket));
  return (socket) => {
    server.emit('connection', socket);
    const listeners = socket.listeners('data') as DataListener[];
    // node:http attaches exactly one 'data' listener (its parser feed); anything else means a Node version this edge was not written for.
    if (listeners.length !== 1) throw new Error(`node:http attached ${listeners.length} 'data' listeners to a new connection, expected 1`);
    const parse = listeners[0];
    const timers = deadlines ? new ReadDeadlines(deadlines, () => socket.destroy()) : null;
    const framer = new RequestFramer(
      timers
        ? { requestStarted: () => timers.requestStarted(), headComplete: () => timers.headComplete(), requestDone: () => timers.requestComplete(), leftHttp: () => timers.stop() }
        : undefined,
    );
    timers?.requestStarted(); // Go counts the first request's deadlines from accept
    const onData: DataListener = (chunk) => parse(framer.feed(chunk));
    socket.removeListener('data', parse);
    // Adding a 'data' listener makes node:http stop reading the socket natively (unconsume), so every byte passes here.
    socket.on('data', onData);
    socket.once('close', () => timers?.stop());
    edges.set(socket, () => {
      socket.removeListener('data', onData);
      timers?.stop();
      edges.delete(socket);
    });
  };
}

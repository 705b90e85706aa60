import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionEdge } from './connection-edge';

// node:http behind the connection edge, over real TCP: what a request handler
// and an upgrade listener get when clients send LIST, pipeline, trickle bytes,
// or leave HTTP for a WebSocket-style stream.
let http: HttpServer;
let front: NetServer;
let port: number;
const upgraded: Buffer[] = [];

beforeAll(async () => {
  http = createHttpServer((req, res) => {
    const body = `${req.method} ${req.url}`;
    res.writeHead(200, { 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
  http.on('upgrade', (_req, socket: Duplex, head: Buffer) => {
    upgraded.push(head);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n');
    socket.write(head);
    socket.on('data', (d: Buffer) => {
      upgraded.push(d);
      socket.write(d); // echo: the stream is ours now, not HTTP
    });
  });
  front = createNetServer(connectionEdge(http, { headerMs: 30_000, requestMs: 60_000 }));
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  port = (front.address() as { port: number }).port;
});
const clients: Socket[] = [];
afterAll(async () => {
  for (const c of clients) c.destroy();
  await new Promise((r) => front.close(r));
});

function client(): Promise<{ socket: Socket; received: () => string; until: (pred: (s: string) => boolean) => Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    clients.push(socket);
    let data = '';
    const waiters: (() => void)[] = [];
    socket.on('data', (c) => {
      data += c.toString('latin1');
      waiters.splice(0).forEach((w) => w());
    });
    const until = (pred: (s: string) => boolean) =>
      new Promise<string>((res, rej) => {
        const check = () => (pred(data) ? res(data) : waiters.push(check));
        socket.once('close', () => (pred(data) ? res(data) : rej(new Error(`closed with ${JSON.stringify(data)}`))));
        check();
      });
    socket.once('connect', () => resolve({ socket, received: () => data, until }));
    socket.once('error', reject);
  });
}

const bodies = (raw: string) => raw.split('HTTP/1.1 200 OK').slice(1).map((r) => r.slice(r.indexOf('\r\n\r\n') + 4));

describe('connection edge', () => {
  it('a LIST pipelined between GETs in one write is answered in order, as GET ?list=true', async () => {
    const c = await client();
    c.socket.write('GET /v1/a HTTP/1.1\r\nHost: x\r\n\r\nLIST /v1/secret/metadata/ HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/b HTTP/1.1\r\nHost: x\r\n\r\n');
    const raw = await c.until((s) => s.split('HTTP/1.1 200').length === 4);
    expect(bodies(raw)).toEqual(['GET /v1/a', 'GET /v1/secret/metadata/?list=true', 'GET /v1/b']);
    c.socket.destroy();
  });

  it('a LIST sent a byte at a time, after a request with a body on the same connection, is answered', async () => {
    const c = await client();
    c.socket.write('PUT /v1/x HTTP/1.1\r\nHost: x\r\nContent-Length: 26\r\n\r\nLIST /v1/y HTTP/1.1\r\n\r\n!!!');
    await c.until((s) => s.includes('PUT /v1/x'));
    for (const b of 'LIST /v1/kv/ HTTP/1.1\r\nHost: x\r\n\r\n') {
      c.socket.write(b);
      await new Promise((r) => setImmediate(r));
    }
    const raw = await c.until((s) => s.split('HTTP/1.1 200').length === 3);
    expect(bodies(raw)).toEqual(['PUT /v1/x', 'GET /v1/kv/?list=true']);
    c.socket.destroy();
  });

  it('after an upgrade the bytes belong to the upgrade listener, untouched: LIST is not rewritten and no HTTP reply is spliced in', async () => {
    upgraded.length = 0;
    const c = await client();
    c.socket.write('LIST /v1/first HTTP/1.1\r\nHost: x\r\n\r\nGET /feed HTTP/1.1\r\nHost: x\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\nLIST /v1/z HTTP/1.1\r\n\r\n');
    await c.until((s) => s.includes('101 Switching') && s.endsWith('LIST /v1/z HTTP/1.1\r\n\r\n'));
    c.socket.write('LIST /v1/later HTTP/1.1\r\n\r\n');
    const raw = await c.until((s) => s.endsWith('LIST /v1/later HTTP/1.1\r\n\r\n'));
    expect(raw).toMatch(/\r\n\r\nGET \/v1\/first\?list=true(HTTP\/1\.1 101 Switching Protocols\r\n)/);
    expect(Buffer.concat(upgraded).toString()).toBe('LIST /v1/z HTTP/1.1\r\n\r\nLIST /v1/later HTTP/1.1\r\n\r\n');
    expect(raw.split('HTTP/1.1 ').length).toBe(3); // one 200, one 101, nothing from a parser after the upgrade
    c.socket.destroy();
  });

  it('bytes on an upgraded connection never reach the HTTP parser node:http handed to the next connection', async () => {
    const a = await client();
    a.socket.write('GET /feed HTTP/1.1\r\nHost: x\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n');
    await a.until((s) => s.includes('101 Switching'));
    const b = await client(); // node:http reuses the upgraded connection's freed parser for it
    b.socket.write('GET /v1/b HTTP/1.1\r\nHost: x\r\n\r\n');
    await b.until((s) => s.includes('GET /v1/b'));
    a.socket.write('GET /v1/smuggled HTTP/1.1\r\nHost: x\r\n\r\n');
    await a.until((s) => s.endsWith('GET /v1/smuggled HTTP/1.1\r\nHost: x\r\n\r\n')); // echoed: the server has read it
    b.socket.write('GET /v1/b2 HTTP/1.1\r\nHost: x\r\n\r\n');
    const raw = await b.until((s) => s.includes('GET /v1/b2') || s.includes('smuggled'));
    expect(bodies(raw)).toEqual(['GET /v1/b', 'GET /v1/b2']);
    a.socket.destroy();
    b.socket.destroy();
  });
});

// bare-http.mjs behind Coffer's own HTTP edge: node:http fed through
// connectionEdge (Vault's LIST verb, read deadlines), exactly as
// server/node.ts hands it connections. bench/kv.ts measures it beside the
// plain bare server: the difference is what that edge costs per request,
// before any of Coffer's request handling. Runs as its own process:
// `node --import tsx bench/bare-http-edge.ts <port>`.
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { connectionEdge } from '../server/http/connection-edge';

const READ_HEADER_MS = 10_000; // Vault's http_read_header_timeout default
const READ_MS = 30_000; // Vault's http_read_timeout default

const body = JSON.stringify({ request_id: '00000000-0000-0000-0000-000000000000', data: { data: { password: 'hunter2' } } });
const server = createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
});
const front = createNetServer(connectionEdge(server, { headerMs: READ_HEADER_MS, requestMs: READ_MS }));
front.listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));

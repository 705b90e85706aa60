// The HTTP floor of a Coffer KV v2 read: node:http behind Coffer's edge
// (connection-edge.ts, as server/node.ts wires it) answering what Coffer
// answers for one — the same four headers, a fresh request id in the header
// and the body, the same 346-byte JSON made by JSON.stringify — while doing
// none of Coffer's work (no token, ACL, storage or audit). bench/kv.ts
// measures it beside Coffer's reads: what lies between this and bare-http.mjs
// any Node server pays to answer a Vault client; what lies between Coffer and
// this is Coffer's own request handling. Runs as its own process:
// `node --import tsx bench/bare-http-floor.ts <port> [no-edge]`; `no-edge`
// serves the same answer from plain node:http (its native parser, no LIST
// framer): what the floor would be without the edge.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { connectionEdge } from '../server/http/connection-edge';

const READ_HEADER_MS = 10_000; // Vault's http_read_header_timeout default
const READ_MS = 30_000; // Vault's http_read_timeout default

const data = { data: { password: 'hunter2', user: 'svc-0' }, metadata: { created_time: '2026-12-02T13:19:20.132Z', custom_metadata: null, deletion_time: '', destroyed: false, version: 1 } };
const server = createServer((req, res) => {
  const id = randomUUID();
  if (!req.headers['x-vault-token']) res.statusCode = 403; // read the headers, as any authenticating server must
  const body = JSON.stringify({ request_id: id, lease_id: '', renewable: false, lease_duration: 0, data, wrap_info: null, warnings: null, auth: null, mount_type: '' });
  res.setHeader('X-Request-Id', id);
  res.writeHead(res.statusCode, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
});
const front = process.argv[3] === 'no-edge' ? server : createNetServer(connectionEdge(server, { headerMs: READ_HEADER_MS, requestMs: READ_MS }));
front.listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));

// A bare node:http server answering a fixed JSON body: the ceiling that
// bench/kv.ts compares Coffer's reads against. Runs as its own process.
import { createServer } from 'node:http';

const body = JSON.stringify({ request_id: '00000000-0000-0000-0000-000000000000', data: { data: { password: 'hunter2' } } });
const server = createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0)); // exit cleanly, so node --cpu-prof writes its profile

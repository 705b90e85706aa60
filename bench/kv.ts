// `npm run bench:kv`: KV v2 read and write throughput of one dev server with
// 32 concurrent connections (autocannon), beside a bare node:http server and
// a bare better-sqlite3 synchronous=FULL insert loop measured in the same run.
// Prints figures and ratios; asserts nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { api, startDevServer } from '../tests/support/cluster';
import { freePortPair } from '../tests/support/ports';

const CONNECTIONS = 32;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 8);

async function cannon(opts: autocannon.Options): Promise<number> {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...opts });
  if (result.non2xx) throw new Error(`${result.non2xx} non-2xx answers from ${opts.url}`);
  return result.requests.average;
}

async function bareHttp(): Promise<{ rps: number; child: ChildProcess }> {
  const port = await freePortPair();
  const child = spawn(process.execPath, [join(import.meta.dirname, 'bare-http.mjs'), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => child.stdout!.once('data', r));
  const rps = await cannon({ url: `http://127.0.0.1:${port}/v1/secret/data/bench` });
  return { rps, child };
}

function bareSqliteInserts(): number {
  const db = new Database(join(mkdtempSync(join(tmpdir(), 'coffer-bench-')), 'bare.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v BLOB)');
  const insert = db.prepare('INSERT OR REPLACE INTO t (k, v) VALUES (?, ?)');
  const value = Buffer.alloc(200, 7);
  const deadline = Date.now() + DURATION_S * 1000;
  let n = 0;
  while (Date.now() < deadline) {
    insert.run(`k${n % 10_000}`, value); // one durable transaction per insert
    n++;
  }
  db.close();
  return n / DURATION_S;
}

async function main() {
  const server = await startDevServer({ args: ['-log-level=error'] });
  const headers = { 'X-Vault-Token': server.rootToken, 'Content-Type': 'application/json' };
  await api(server.addr, 'POST', 'secret/data/bench', { token: server.rootToken, body: { data: { password: 'hunter2' } } });

  console.log(`coffer bench:kv — ${CONNECTIONS} connections, ${DURATION_S} s per figure, node ${process.version}`);
  const reads = await cannon({ url: `${server.addr}/v1/secret/data/bench`, headers });
  let i = 0;
  const writes = await cannon({
    url: `${server.addr}/v1/secret/data/w`,
    method: 'POST',
    headers,
    requests: [{ setupRequest: (req) => ({ ...req, path: `/v1/secret/data/w${i++ % 1000}`, body: JSON.stringify({ data: { n: i } }) }) }],
  });
  await server.stop();
  const bare = await bareHttp();
  bare.child.kill();
  const sqlite = bareSqliteInserts();

  const rows = [
    ['coffer KV v2 read', reads, 'req/s'],
    ['bare node:http fixed JSON', bare.rps, 'req/s'],
    ['coffer KV v2 write (durable)', writes, 'req/s'],
    ['bare better-sqlite3 FULL insert', sqlite, 'inserts/s'],
  ] as const;
  for (const [name, v, unit] of rows) console.log(`${name.padEnd(34)} ${v.toFixed(0).padStart(8)} ${unit}`);
  console.log(`read ratio  (coffer / bare http):   ${(reads / bare.rps).toFixed(2)}  (aim ≥ 0.60)`);
  console.log(`write ratio (coffer / bare sqlite): ${(writes / sqlite).toFixed(2)}  (aim ≥ 0.50)`);
}

await main();

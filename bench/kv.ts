// `npm run bench:kv`: KV v2 throughput of one dev server (on disk, group
// commit, synchronous=FULL) with 32 concurrent connections (autocannon, in
// this process), each figure beside its bare reference, interleaved (see
// bench/interleave.ts). Prints figures, spreads and ratios; asserts nothing.
//
//   reads, one key      one service token reading one key, against a bare
//                       node:http server answering a fixed JSON body
//   reads, 1k × 10k     1,000 service tokens × 10,000 keys, rotated per request
//                       (so no single-entry cache can fake it), against the
//                       same bare server fed by the same request generator
//   writes              KV v2 create/update (metadata + version, answered after
//                       fsync), against bare better-sqlite3 insert loops behind
//                       node:http with the same 32 connections, so both sides
//                       pay the same HTTP cost (bench/bare-sqlite-http.mjs):
//                       `full` commits each insert durably, `group` batches
//                       one transaction per event-loop turn as Coffer does
//
// Env: BENCH_ROUNDS (3), BENCH_SECONDS (5 per figure), BENCH_ONLY=reads|writes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startDevServer } from '../tests/support/cluster';
import { freePortPair } from '../tests/support/ports';
import { KEYS, rotating, seedKeys, seedTokens, TOKENS, writer } from './kv-fixture';
import { interleave, load, machine, report, type Figure, type Pair } from './interleave';

const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const ONLY = process.env.BENCH_ONLY ?? '';
const WARMUP_SECONDS = 1;

async function cannon(url: string, opts: Partial<autocannon.Options> = {}, seconds = SECONDS): Promise<number> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, ...opts });
  if (result.non2xx || result.errors) throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors from ${url}`);
  return result.requests.average;
}

async function spawnBare(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePortPair();
  const child = spawn(process.execPath, [...args.slice(0, 1), String(port), ...args.slice(1)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => child.stdout!.once('data', r));
  return { url: `http://127.0.0.1:${port}`, child };
}

async function main() {
  const log = (line: string) => console.log(line);
  const loadAtStart = load();
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-'));
  const server = await startDevServer({ args: ['-log-level=error'] });
  const children: ChildProcess[] = [];
  try {
    log(`coffer bench:kv — ${machine()}, ${CONNECTIONS} connections, ${SECONDS} s per figure, ${ROUNDS} rounds, load average at start ${loadAtStart}`);
    const started = Date.now();
    const tokens = await seedTokens(server);
    await seedKeys(server);
    log(`seeded ${TOKENS} tokens and ${KEYS} keys in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const one = tokens[0];
    const oneKey = `${server.addr}/v1/secret/data/k0`;
    const pairs: Pair[] = [];
    if (ONLY !== 'writes') {
      const bare = await spawnBare([join(import.meta.dirname, 'bare-http.mjs')]);
      children.push(bare.child);
      const bareFixed: Figure = { name: 'bare node:http, fixed JSON', unit: 'req/s', run: (s) => cannon(`${bare.url}/v1/secret/data/k0`, { headers: { 'X-Vault-Token': one } }, s) };
      const bareRotating: Figure = { name: 'bare node:http, rotating requests', unit: 'req/s', run: (s) => cannon(`${bare.url}/v1/secret/data/k0`, rotating(tokens), s) };
      pairs.push(
        { label: 'read, one token, one key / bare', aim: 0.6, coffer: { name: 'coffer KV v2 read, one token, one key', unit: 'req/s', run: (s) => cannon(oneKey, { headers: { 'X-Vault-Token': one } }, s) }, bare: bareFixed },
        { label: `read, ${TOKENS} tokens × ${KEYS} keys / bare`, aim: 0.6, coffer: { name: `coffer KV v2 read, ${TOKENS} tokens × ${KEYS} keys`, unit: 'req/s', run: (s) => cannon(oneKey, rotating(tokens), s) }, bare: bareRotating },
      );
    }
    if (ONLY !== 'reads') {
      const full = await spawnBare([join(import.meta.dirname, 'bare-sqlite-http.mjs'), 'full', dir]);
      const group = await spawnBare([join(import.meta.dirname, 'bare-sqlite-http.mjs'), 'group', dir]);
      children.push(full.child, group.child);
      const write: Figure = { name: 'coffer KV v2 write (durable)', unit: 'req/s', run: (s) => cannon(`${server.addr}/v1/secret/data/w`, writer(one), s) };
      pairs.push(
        { label: 'write / bare sqlite FULL per insert', aim: 0.5, coffer: write, bare: { name: 'bare sqlite FULL, one commit per insert', unit: 'req/s', run: (s) => cannon(`${full.url}/w`, writer(one), s) } },
        { label: 'write / bare sqlite FULL, group commit', coffer: write, bare: { name: 'bare sqlite FULL, group commit', unit: 'req/s', run: (s) => cannon(`${group.url}/w`, writer(one), s) } },
      );
    }
    // Warm up every target once (JIT, page cache) before anything counts.
    for (const f of new Set(pairs.flatMap((p) => [p.coffer, p.bare]))) await f.run(WARMUP_SECONDS);
    const result = await interleave(pairs, ROUNDS, log);
    report(pairs, result, log);
    log(`\nload average at start ${loadAtStart}, at end ${load()} (1, 5, 15 min; ${machine()})`);
  } finally {
    for (const c of children) c.kill();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

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
//   HTTP floor          node:http behind Coffer's edge answering Coffer's exact
//                       read response (headers, request id, 346-byte JSON) with
//                       no work behind it (bench/bare-http-floor.ts): Coffer ÷
//                       floor is what Coffer's own request handling costs
//   writes              KV v2 create/update (metadata + version, answered after
//                       fsync), against bare better-sqlite3 insert loops behind
//                       node:http with the same 32 connections, so both sides
//                       pay the same HTTP cost (bench/bare-sqlite-http.mjs):
//                       `full` commits each insert durably, `group` batches
//                       one transaction per event-loop turn as Coffer does
//
// Each figure also gives the server's CPU µs per request (bench/interleave.ts):
// on a box whose other tenants take most of the CPU, that cost ratio is the
// steadier figure.
//
// Env: BENCH_ROUNDS (3), BENCH_SECONDS (5 per figure), BENCH_ONLY=reads|writes,
// BENCH_BASELINE=<checkout dir> (a second server from there, in the same rounds),
// BENCH_READ_ALL=0 (skip the read-every-key pass after seeding), BENCH_STORAGE=ha
// (the same figures for a 3-node HA cluster, beside a single node: bench/kv-ha.ts).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer, type DevServer } from '../tests/support/cluster';
import { KEYS, readAll, rotating, seedKeys, seedTokens, startBaseline, TOKENS, writer } from './kv-fixture';
import { interleave, load, machine, measure, report, type Figure, type Pair } from './interleave';
import { bareWrites, cannon, CONNECTIONS, ROUNDS, SECONDS, spawnBare, WARMUP_SECONDS, WRITE_AIM } from './kv-refs';

const ONLY = process.env.BENCH_ONLY ?? '';
/** Another checkout (e.g. `git archive <commit>` extracted, node_modules linked) measured in the same rounds. */
const BASELINE = process.env.BENCH_BASELINE ?? '';
const TSX_LOADER = new URL('../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

interface Target {
  tag: string;
  server: DevServer;
  tokens: string[];
}

async function seeded(tag: string, server: DevServer, log: (line: string) => void): Promise<Target> {
  const started = Date.now();
  const tokens = await seedTokens(server);
  await seedKeys(server);
  const readEach = ONLY !== 'writes' && process.env.BENCH_READ_ALL !== '0';
  if (readEach) await readAll(server, tokens);
  log(`${tag}: seeded ${TOKENS} tokens and ${KEYS} keys${readEach ? ' and read each once' : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { tag, server, tokens };
}

async function main() {
  const log = (line: string) => console.log(line);
  const loadAtStart = load();
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-'));
  const servers: DevServer[] = [];
  const children: ChildProcess[] = [];
  try {
    log(`coffer bench:kv — ${machine()}, ${CONNECTIONS} connections, ${SECONDS} s per figure, ${ROUNDS} rounds, load average at start ${loadAtStart}`);
    servers.push(await startDevServer({ args: ['-log-level=error'], healthTimeoutMs: 120_000 }));
    const targets = [await seeded('coffer', servers[0], log)];
    if (BASELINE) {
      servers.push(await startBaseline(BASELINE));
      targets.push(await seeded(`baseline (${BASELINE})`, servers[1], log));
    }
    const tokens = targets[0].tokens; // the bare servers ignore tokens: any list feeds the same generator
    const pairs: Pair[] = [];
    if (ONLY !== 'writes') {
      const bare = await spawnBare([join(import.meta.dirname, 'bare-http.mjs')]);
      children.push(bare.child);
      const bareFixed: Figure = { name: 'bare node:http, fixed JSON', unit: 'req/s', pid: bare.pid, run: (s) => cannon(`${bare.url}/v1/secret/data/k0`, { headers: { 'X-Vault-Token': tokens[0] } }, s) };
      const edge = await spawnBare(['--import', TSX_LOADER, join(import.meta.dirname, 'bare-http-edge.ts')]);
      children.push(edge.child);
      const bareEdge: Figure = { name: 'bare node:http behind Coffer\'s edge', unit: 'req/s', pid: edge.pid, run: (s) => cannon(`${edge.url}/v1/secret/data/k0`, { headers: { 'X-Vault-Token': tokens[0] } }, s) };
      pairs.push({ label: 'bare behind Coffer\'s edge / bare', coffer: bareEdge, bare: bareFixed });
      const floor = await spawnBare(['--import', TSX_LOADER, join(import.meta.dirname, 'bare-http-floor.ts')]);
      children.push(floor.child);
      const httpFloor: Figure = { name: 'HTTP floor: Coffer\'s answer, no work', unit: 'req/s', pid: floor.pid, run: (s) => cannon(`${floor.url}/v1/secret/data/k0`, { headers: { 'X-Vault-Token': tokens[0] } }, s) };
      pairs.push({ label: 'HTTP floor / bare', coffer: httpFloor, bare: bareFixed });
      const native = await spawnBare(['--import', TSX_LOADER, join(import.meta.dirname, 'bare-http-floor.ts'), 'no-edge']);
      children.push(native.child);
      const nativeFloor: Figure = { name: 'HTTP floor without the edge', unit: 'req/s', pid: native.pid, run: (s) => cannon(`${native.url}/v1/secret/data/k0`, { headers: { 'X-Vault-Token': tokens[0] } }, s) };
      pairs.push({ label: 'HTTP floor without the edge / bare', coffer: nativeFloor, bare: bareFixed });
      const bareRotating: Figure = { name: 'bare node:http, rotating requests', unit: 'req/s', pid: bare.pid, run: (s) => cannon(`${bare.url}/v1/secret/data/k0`, rotating(tokens), s) };
      for (const t of targets) {
        const pid = () => t.server.proc.pid!; // bin/coffer execs node: the same pid serves
        const oneKey = `${t.server.addr}/v1/secret/data/k0`;
        const name = t.tag === 'coffer' ? 'coffer' : 'baseline';
        pairs.push(
          { label: `${name} read, one token, one key / HTTP floor`, coffer: { name: `${name} KV v2 read, one token, one key`, unit: 'req/s', pid, run: (s) => cannon(oneKey, { headers: { 'X-Vault-Token': t.tokens[0] } }, s) }, bare: httpFloor },
          { label: `${name} read, one token, one key / bare`, aim: 0.6, coffer: { name: `${name} KV v2 read, one token, one key`, unit: 'req/s', pid, run: (s) => cannon(oneKey, { headers: { 'X-Vault-Token': t.tokens[0] } }, s) }, bare: bareFixed },
          { label: `${name} read, ${TOKENS} tok × ${KEYS} keys / bare`, aim: 0.6, coffer: { name: `${name} KV v2 read, ${TOKENS} tok × ${KEYS} keys`, unit: 'req/s', pid, run: (s) => cannon(oneKey, rotating(t.tokens), s) }, bare: bareRotating },
        );
      }
    }
    if (ONLY !== 'reads') {
      const { full: bareFull, group: bareGroup, children: bareChildren } = await bareWrites(dir, tokens[0]);
      children.push(...bareChildren);
      for (const t of targets) {
        const name = t.tag === 'coffer' ? 'coffer' : 'baseline';
        const write: Figure = { name: `${name} KV v2 write (durable)`, unit: 'req/s', pid: () => t.server.proc.pid!, run: (s) => cannon(`${t.server.addr}/v1/secret/data/w`, writer(t.tokens[0]), s) };
        pairs.push(
          { label: `${name} write / bare sqlite FULL per insert`, aim: WRITE_AIM, coffer: write, bare: bareFull },
          { label: `${name} write / bare sqlite group commit`, coffer: write, bare: bareGroup },
        );
      }
    }
    // Warm up every target once (JIT, page cache) before anything counts.
    for (const f of new Set(pairs.flatMap((p) => [p.coffer, p.bare]))) await measure(f, WARMUP_SECONDS);
    const result = await interleave(pairs, ROUNDS, log);
    report(pairs, result, log);
    log(`\nload average at start ${loadAtStart}, at end ${load()} (1, 5, 15 min; ${machine()})`);
  } finally {
    for (const c of children) c.kill();
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

// BENCH_STORAGE=ha: the same figures for a 3-node HA cluster over etcd (bench/kv-ha.ts).
await (process.env.BENCH_STORAGE === 'ha' ? (await import('./kv-ha')).mainHa() : main());

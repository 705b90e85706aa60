// `tsx bench/kv-writes-probe.ts`: durable KV v2 write throughput of one dev
// server (32 connections, POST secret/data/<1,000 rotating keys>), interleaved
// with the two bare references it is judged against, ROUNDS times, so disk and
// CPU drift on a shared box hits all three alike:
//   bare FULL  — node:http committing each insert durably (bare-sqlite-http.mjs full)
//   bare GC    — node:http + the group commit Coffer uses (bare-sqlite-http.mjs group)
// The shared figure is `npm run bench:kv`; this probe adds a profile and op counts.
// Prints each round, then medians and spreads. Asserts nothing.
// PROFILE_DIR=dir: the Coffer servers run under --cpu-prof into dir.
// COFFER_TEST_BIN=…/bin/coffer: measure that tree's server (e.g. an export of the commit before a change).
// COUNT_OPS=1: the Coffer servers preload sqlite-op-counter.cjs; prints SQLite statements and COMMITs per write.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';
import { freePortPair } from '../tests/support/ports';

// --cpu-prof is refused in NODE_OPTIONS: profiled servers start through a wrapper that passes it to node.
if (process.env.PROFILE_DIR) {
  const wrapper = join(mkdtempSync(join(tmpdir(), 'coffer-prof-')), 'coffer');
  const launcher = process.env.COFFER_TEST_BIN ? join(dirname(process.env.COFFER_TEST_BIN), 'launch.cjs') : join(import.meta.dirname, '..', 'bin', 'launch.cjs');
  writeFileSync(wrapper, `#!/bin/sh\nexec node --cpu-prof --cpu-prof-dir=${process.env.PROFILE_DIR} ${launcher} "$@"\n`);
  chmodSync(wrapper, 0o700);
  process.env.COFFER_TEST_BIN = wrapper;
}
const { api, startDevServer } = await import('../tests/support/cluster');

const CONNECTIONS = 32;
const KEYS = 1_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

async function writes(url: string, headers: Record<string, string>, pathOf: (i: number) => string): Promise<{ rps: number; requests: number }> {
  let i = 0;
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    method: 'POST',
    headers,
    requests: [{ setupRequest: (req) => ({ ...req, path: pathOf(i), body: JSON.stringify({ data: { n: i++, password: 'hunter2' } }) }) }],
  });
  if (r.non2xx || r.errors) throw new Error(`${r.non2xx} non-2xx answers, ${r.errors} errors from ${url}`);
  return { rps: r.requests.average, requests: r.requests.total };
}

async function coffer(): Promise<number> {
  const saved = process.env.NODE_OPTIONS;
  const countsFile = join(mkdtempSync(join(tmpdir(), 'coffer-ops-')), 'counts.json');
  process.env.NODE_OPTIONS = process.env.COUNT_OPS ? `--require ${join(import.meta.dirname, 'sqlite-op-counter.cjs')}` : '';
  process.env.SQLITE_OP_COUNTS = countsFile;
  const server = await startDevServer({ args: ['-log-level=error'] });
  process.env.NODE_OPTIONS = saved ?? '';
  if (!saved) delete process.env.NODE_OPTIONS;
  try {
    const headers = { 'X-Vault-Token': server.rootToken, 'Content-Type': 'application/json' };
    // Every key exists first, so the figure is of updates (read metadata, add a version, trim) rather than creates.
    for (let k = 0; k < KEYS; k += CONNECTIONS)
      await Promise.all(Array.from({ length: CONNECTIONS }, (_, j) => api(server.addr, 'POST', `secret/data/w${k + j}`, { token: server.rootToken, body: { data: { n: 0 } } })));
    if (process.env.COUNT_OPS) server.proc.kill('SIGUSR2');
    const before = process.env.COUNT_OPS ? await countsAfterSignal(countsFile, null) : null;
    const flushBefore = await flushes(server.addr, server.rootToken);
    const r = await writes(`${server.addr}/v1/secret/data/w`, headers, (i) => `/v1/secret/data/w${i % KEYS}`);
    const flushAfter = await flushes(server.addr, server.rootToken);
    const batches = flushAfter.count - flushBefore.count;
    const flushMs = flushAfter.ms - flushBefore.ms;
    console.log(
      `  group commits: ${batches} (${(r.requests / batches).toFixed(1)} writes each), ${(flushMs / batches).toFixed(2)} ms per COMMIT (merkle flush + fsync), ${((100 * flushMs) / (SECONDS * 1000)).toFixed(0)}% of the wall time`,
    );
    if (before) {
      server.proc.kill('SIGUSR2');
      printCounts(before, await countsAfterSignal(countsFile, before), r.requests);
    }
    return r.rps;
  } finally {
    await server.stop();
  }
}

/** The group commits so far and the milliseconds they took (sys/metrics, vault.wal.flushReady). */
async function flushes(addr: string, token: string): Promise<{ count: number; ms: number }> {
  const { body } = await api(addr, 'GET', 'sys/metrics', { token });
  const s = (body.Samples as { Name: string; Count: number; Sum: number }[]).find((x) => x.Name === 'vault.wal.flushReady');
  return { count: s?.Count ?? 0, ms: s?.Sum ?? 0 };
}

async function countsAfterSignal(file: string, previous: Record<string, number> | null): Promise<Record<string, number>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const c = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
      if (c !== null && JSON.stringify(c) !== JSON.stringify(previous)) return c;
    } catch {
      /* not written yet */
    }
    if (Date.now() > deadline) throw new Error('the server did not write its op counts');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function printCounts(before: Record<string, number>, after: Record<string, number>, requests: number): void {
  console.log(`  SQLite operations per KV v2 write (${requests} writes):`);
  const rows = Object.entries(after)
    .map(([sql, n]) => [sql, (n - (before[sql] ?? 0)) / requests] as const)
    .filter(([, n]) => n > 0.001)
    .sort((a, b) => b[1] - a[1]);
  for (const [sql, n] of rows) console.log(`    ${n.toFixed(3).padStart(7)}  ${sql}`);
}

/** bench/bare-sqlite-http.mjs in `full` (one commit per insert) or `group` (Coffer's group commit) mode, same client. */
async function bare(mode: 'full' | 'group'): Promise<number> {
  const port = await freePortPair();
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-'));
  const child = spawn(process.execPath, [join(import.meta.dirname, 'bare-sqlite-http.mjs'), String(port), mode, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise((r) => child.stdout!.once('data', r));
    return (await writes(`http://127.0.0.1:${port}/w`, { 'Content-Type': 'application/json' }, (i) => `/w${i % KEYS}`)).rps;
  } finally {
    child.kill();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

async function main() {
  console.log(`kv-writes-probe — ${cpus().length} cores, node ${process.version}, ${CONNECTIONS} connections, ${SECONDS} s per figure, ${ROUNDS} rounds`);
  const c: number[] = [];
  const full: number[] = [];
  const gc: number[] = [];
  const loads: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    loads.push(loadavg()[0]);
    c.push(await coffer());
    full.push(await bare('full'));
    gc.push(await bare('group'));
    console.log(`round ${round}: coffer ${c.at(-1)!.toFixed(0)} writes/s, bare FULL ${full.at(-1)!.toFixed(0)} writes/s, bare GC ${gc.at(-1)!.toFixed(0)} writes/s (load ${loads.at(-1)!.toFixed(2)})`);
  }
  const [mc, mf, mg] = [median(c), median(full), median(gc)];
  console.log(`coffer KV v2 write (durable)  median ${mc.toFixed(0)} writes/s  (${spread(c)})`);
  console.log(`bare http + FULL per insert   median ${mf.toFixed(0)} writes/s  (${spread(full)})`);
  console.log(`bare http + group commit      median ${mg.toFixed(0)} writes/s  (${spread(gc)})`);
  console.log(`ratio coffer / bare FULL ${(mc / mf).toFixed(2)} (aim ≥ 0.50); coffer / bare GC ${(mc / mg).toFixed(2)}; load average ${spread(loads.map((l) => l * 100)).replace(/(\d+)/g, (d) => (Number(d) / 100).toFixed(2))}`);
}

await main();

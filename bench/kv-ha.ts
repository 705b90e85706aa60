// `BENCH_STORAGE=ha npm run bench:kv`: bench:kv's figures for an HA cluster —
// three `coffer server` nodes on storage "etcd" over a real 3-member etcd
// (bench/ha-failover.ts startFailoverTarget, as bench:ha) — beside the same
// bare references as the single-node mode (bench/kv-refs.ts), interleaved in
// the same rounds (bench/interleave.ts):
//
//   HA write at the active      KV v2 create/update answered only after etcd's
//                               quorum committed the batch (durable)
//   HA write via a standby      the same writes sent to a standby, which forwards
//                               them and answers once it has applied the result
//   HA reads, active / standby  one token one key, and 1k tokens × 10k keys rotated
//                               per request (seeded at the active, every standby
//                               caught up and every key read once on each node)
//   single-node write           a dev server (SQLite) in the same rounds, so the
//                               report can say HA ÷ single node
//
// The server CPU of an HA write counts every coffer node and etcd member (what
// one durable write costs the machine); a read's counts the node that answered.
// The election lease is LOCK_TIMEOUT_SECONDS (the HA tests' 10 s: the 2 s
// default lapses on a loaded 2-core box and a spurious failover would stall a
// figure); leadership changes during the load are counted and printed.
//
// Env: as bench:kv (BENCH_ROUNDS, BENCH_SECONDS, BENCH_ONLY=reads|writes,
// BENCH_READ_ALL=0), plus BENCH_LOCK_TIMEOUT (seconds).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { startDevServer, type DevServer } from '../tests/support/cluster';
import type { HaCluster, HaNode } from '../tests/ha/ha-cluster';
import { startFailoverTarget, type FailoverTarget } from './ha-failover';
import { clusterPids, countLeaderChanges, waitStandbysApplied } from './ha-setup';
import { interleave, load, machine, measure, report, type Figure, type Pair } from './interleave';
import { KEYS, readAll, rotating, seedKeys, seedTokens, TOKENS, writer } from './kv-fixture';
import { bareReads, bareWrites, cannon, CONNECTIONS, READ_AIM, ROUNDS, SECONDS, WARMUP_SECONDS, WRITE_AIM } from './kv-refs';

const ONLY = process.env.BENCH_ONLY ?? '';
const LOCK_TIMEOUT_SECONDS = Number(process.env.BENCH_LOCK_TIMEOUT ?? 10);
/** Issue 9's aim for a 3-node write against a single node's. */
const HA_WRITE_AIM = 0.5;

type Log = (line: string) => void;

const since = (started: number) => `${((Date.now() - started) / 1000).toFixed(1)} s`;

/** Tokens and keys written at the active, every standby caught up, every key read once on each node read in the rounds. */
async function seedCluster(c: HaCluster, active: HaNode, readers: HaNode[], log: Log): Promise<string[]> {
  const started = Date.now();
  const at = { addr: active.addr, rootToken: c.rootToken };
  const tokens = await seedTokens(at, ONLY === 'writes' ? 1 : TOKENS);
  if (ONLY !== 'writes') await seedKeys(at);
  await waitStandbysApplied(c);
  const readEach = ONLY !== 'writes' && process.env.BENCH_READ_ALL !== '0';
  if (readEach) for (const n of readers) await readAll({ addr: n.addr, rootToken: c.rootToken }, tokens);
  log(`HA cluster: seeded ${tokens.length} tokens${ONLY !== 'writes' ? ` and ${KEYS} keys` : ''} at the active, standbys caught up${readEach ? ', every key read once on the active and on a standby' : ''} in ${since(started)}`);
  return tokens;
}

function writePairs(c: HaCluster, active: HaNode, standby: HaNode, tokens: string[], single: { server: DevServer; token: string }, bare: { full: Figure; group: Figure }): Pair[] {
  const pids = () => clusterPids(c);
  const atActive: Figure = { name: 'HA KV v2 write at the active (durable)', unit: 'req/s', pid: () => active.proc.pid!, pids, run: (s) => cannon(`${active.addr}/v1/secret/data/w`, writer(tokens[0]), s) };
  const viaStandby: Figure = { name: 'HA KV v2 write via a standby (forwarded)', unit: 'req/s', pid: () => standby.proc.pid!, pids, run: (s) => cannon(`${standby.addr}/v1/secret/data/w`, writer(tokens[0]), s) };
  const one: Figure = { name: 'single-node KV v2 write (durable)', unit: 'req/s', pid: () => single.server.proc.pid!, run: (s) => cannon(`${single.server.addr}/v1/secret/data/w`, writer(single.token), s) };
  return [
    { label: 'HA write at active / bare FULL per insert', aim: WRITE_AIM, coffer: atActive, bare: bare.full },
    { label: 'HA write via standby / bare FULL per insert', aim: WRITE_AIM, coffer: viaStandby, bare: bare.full },
    { label: 'single-node write / bare FULL per insert', aim: WRITE_AIM, coffer: one, bare: bare.full },
    { label: 'HA write at active / bare group commit', coffer: atActive, bare: bare.group },
    { label: 'HA write via standby / bare group commit', coffer: viaStandby, bare: bare.group },
    { label: 'single-node write / bare group commit', coffer: one, bare: bare.group },
    { label: 'HA write at active / single-node write', aim: HA_WRITE_AIM, coffer: atActive, bare: one },
    { label: 'HA write via standby / single-node write', coffer: viaStandby, bare: one },
  ];
}

function readPairs(nodes: { tag: string; node: HaNode }[], tokens: string[], bare: { fixed: Figure; rotating: Figure }): Pair[] {
  return nodes.flatMap(({ tag, node }) => {
    const pid = () => node.proc.pid!;
    const oneKey = `${node.addr}/v1/secret/data/k0`;
    return [
      { label: `HA ${tag} read, one token, one key / bare`, aim: READ_AIM, coffer: { name: `HA ${tag} KV v2 read, one token, one key`, unit: 'req/s', pid, run: (s) => cannon(oneKey, { headers: { 'X-Vault-Token': tokens[0] } }, s) }, bare: bare.fixed },
      { label: `HA ${tag} read ${TOKENS} tok × ${KEYS} keys / bare`, aim: READ_AIM, coffer: { name: `HA ${tag} KV v2 read, ${TOKENS} tok × ${KEYS} keys`, unit: 'req/s', pid, run: (s) => cannon(oneKey, rotating(tokens), s) }, bare: bare.rotating },
    ] satisfies Pair[];
  });
}

export async function mainHa(): Promise<void> {
  const log: Log = (line) => console.log(line);
  const loadAtStart = load();
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-'));
  const children: ChildProcess[] = [];
  let target: FailoverTarget | undefined;
  let single: DevServer | undefined;
  try {
    log(`coffer bench:kv, storage HA (3 coffer nodes on storage "etcd", 3 etcd members, lock_timeout ${LOCK_TIMEOUT_SECONDS} s) — ${machine()}, ${CONNECTIONS} connections, ${SECONDS} s per figure, ${ROUNDS} rounds, load average at start ${loadAtStart}`);
    let started = Date.now();
    target = await startFailoverTarget(LOCK_TIMEOUT_SECONDS);
    const c = target.cluster;
    const active = await c.waitActive();
    const standby = c.nodes.find((n) => n !== active)!;
    log(`HA cluster up (active ${active.name}, standby measured ${standby.name}) in ${since(started)}`);
    const tokens = await seedCluster(c, active, [active, standby], log);
    const pairs: Pair[] = [];
    if (ONLY !== 'writes') {
      const reads = await bareReads(tokens);
      children.push(reads.child);
      pairs.push(...readPairs([{ tag: 'active', node: active }, { tag: 'standby', node: standby }], tokens, reads));
    }
    if (ONLY !== 'reads') {
      started = Date.now();
      single = await startDevServer({ args: ['-log-level=error'], healthTimeoutMs: 120_000 });
      const [token] = await seedTokens(single, 1);
      log(`single-node dev server up and seeded in ${since(started)}`);
      const writes = await bareWrites(dir, tokens[0]);
      children.push(...writes.children);
      pairs.push(...writePairs(c, active, standby, tokens, { server: single, token }, writes));
    }
    for (const f of new Set(pairs.flatMap((p) => [p.coffer, p.bare]))) await measure(f, WARMUP_SECONDS);
    const changes = countLeaderChanges(c);
    const result = await interleave(pairs, ROUNDS, log);
    const leaderChanges = changes.stop();
    report(pairs, result, log);
    log(`\nHA leadership changes during the load: ${leaderChanges} (a lapsed lease would show here)`);
    log(`load average at start ${loadAtStart}, at end ${load()} (1, 5, 15 min; ${machine()})`);
  } finally {
    for (const child of children) child.kill();
    await Promise.all([target?.cluster.stop(), single?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

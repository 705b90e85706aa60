// `npm run bench:ha`: the HA figures of issue 9 in one run (prints, asserts nothing).
//
//   writes      KV v2 writes (about 200 B, answered once durable: on the cluster,
//               once the etcd quorum committed the batch) with CONNECTIONS
//               connections to the active of a 3-node cluster (storage "etcd" over
//               a 3-member etcd), through a standby (forwarded), and to a
//               single-node SQLite server (storage "raft" without peers: no etcd)
//               — interleaved rounds (bench/interleave.ts), medians and spread,
//               p50/p99 latency per figure. Aim: 3-node ≥ 0.5× single node.
//   reads       one token reading READ_KEYS keys in rotation, spread over the two
//               standbys at once (half the connections each) vs all on one node
//               (the active), interleaved.
//   failover    FAILOVER_TRIALS kills -9 of the active under writes through the
//               standbys (bench/ha-failover.ts): kill → first write acknowledged by
//               the new active, p50/p99. Aim: p99 ≤ 3 s. BENCH_FAILOVER_LEASES=3,2
//               also runs a cluster per listed lock_timeout, trials alternating.
//   RSS         per coffer node and per etcd member after the load, and the single node.
//
// Server CPU per request (interleave.ts) counts, for a cluster figure, every
// process that serves it: for writes the three coffer nodes and the three etcd
// members (what one write costs the machine), for spread reads both standbys.
// Leadership changes during the load are counted: a lease too short for this
// machine's load shows up there as spurious failovers.
//
// Env: BENCH_ONLY=throughput|failover, BENCH_ROUNDS (3), BENCH_SECONDS (5 per
// figure), BENCH_CONNECTIONS (32), BENCH_TRIALS (20), BENCH_FAILOVER_LEASES,
// BENCH_BASELINE=<checkout dir> (a second 3-node cluster running that
// checkout's bin/coffer, its writes measured in the same rounds: before/after).
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { api, startConfiguredServer, type ConfiguredServer } from '../tests/support/cluster';
import { health, until, type HaCluster } from '../tests/ha/ha-cluster';
import { clusterPids, countLeaderChanges, waitStandbysApplied } from './ha-setup';
import { ensureSecretMount, failoverReport, failoverRounds, startFailoverTarget, type FailoverTarget } from './ha-failover';
import { interleave, load, machine, measure, median, report, type Figure, type Pair } from './interleave';
import { must, pool, rotating, writer } from './kv-fixture';

const ONLY = process.env.BENCH_ONLY ?? '';
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const FAILOVER_TRIALS = Number(process.env.BENCH_TRIALS ?? 20);
const FAILOVER_LEASES = (process.env.BENCH_FAILOVER_LEASES ?? '').split(',').filter(Boolean).map(Number);
/** Another checkout (`git archive <commit>` extracted, node_modules linked) whose 3-node writes are measured in the same rounds. */
const BASELINE = process.env.BENCH_BASELINE ?? '';
const READ_KEYS = 1_000;
const WARMUP_SECONDS = 1;

interface Shot {
  rate: number;
  count: number;
  p50: number;
  p99: number;
  failed: number;
}

async function cannon(url: string, opts: Partial<autocannon.Options>, seconds: number, connections = CONNECTIONS): Promise<Shot> {
  const r = await autocannon({ url, connections, duration: seconds, ...opts });
  return { rate: r.requests.average, count: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, failed: r.non2xx + r.errors + r.timeouts };
}

/** Latency samples per figure, and failed requests (a failover during the load shows as both). */
const latencies = new Map<string, { p50: number[]; p99: number[]; failed: number }>();
function figure(name: string, pid: () => number, shoot: (seconds: number) => Promise<Shot>, pids?: () => number[]): Figure {
  return {
    name,
    unit: 'req/s',
    pid,
    pids,
    async run(seconds = SECONDS) {
      const s = await shoot(seconds);
      if (seconds === SECONDS) {
        const l = latencies.get(name) ?? { p50: [], p99: [], failed: 0 };
        latencies.set(name, { p50: [...l.p50, s.p50], p99: [...l.p99, s.p99], failed: l.failed + s.failed });
      }
      return { rate: s.rate, count: s.count };
    },
  };
}

function rssMiB(pid: number | undefined): string {
  if (!pid) return '   -';
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return (kb / 1024).toFixed(0).padStart(4);
  } catch {
    return '   -';
  }
}

const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

async function startSingleNode(): Promise<{ server: ConfiguredServer; token: string }> {
  const server = await startConfiguredServer({ name: 'bench-single', healthTimeoutMs: 120_000 });
  const init = await must(api(server.addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } }));
  await must(api(server.addr, 'PUT', 'sys/unseal', { body: { key: init.keys_base64[0] } }));
  const token = init.root_token as string;
  await until('the single node to be active', async () => (await health(server.addr)) === 200);
  await must(api(server.addr, 'POST', 'sys/mounts/secret', { token, body: { type: 'kv', options: { version: '2' } } }));
  return { server, token };
}

async function seedReadKeys(c: HaCluster): Promise<void> {
  const active = await c.waitActive();
  await pool(READ_KEYS, (i) => must(api(active.addr, 'POST', `secret/data/k${i}`, { token: c.rootToken, body: { data: { password: `hunter${i}` } } })));
  await waitStandbysApplied(c);
}

async function throughput(c: HaCluster, log: (line: string) => void, baseline?: HaCluster): Promise<void> {
  const single = await startSingleNode();
  try {
    await seedReadKeys(c);
    const active = await c.waitActive();
    const standbys = c.nodes.filter((n) => n !== active);
    const activeUrl = async () => (await c.waitActive()).addr;
    const w3 = figure('3-node write at the active', () => active.proc.pid!, async (s) => cannon(`${await activeUrl()}/v1/secret/data/w`, writer(c.rootToken), s), () => clusterPids(c));
    const w3f = figure('3-node write via a standby (forwarded)', () => standbys[0].proc.pid!, async (s) => cannon(`${standbys[0].addr}/v1/secret/data/w`, writer(c.rootToken), s), () => clusterPids(c));
    const w1 = figure('single-node SQLite write', () => single.server.proc.pid!, (s) => cannon(`${single.server.addr}/v1/secret/data/w`, writer(single.token), s));
    const spread = figure(
      'reads spread over the 2 standbys',
      () => standbys[0].proc.pid!,
      async (s) => {
        const half = Math.max(1, Math.floor(CONNECTIONS / standbys.length));
        const shots = await Promise.all(standbys.map((n) => cannon(`${n.addr}/v1/secret/data/k0`, rotating([c.rootToken], READ_KEYS), s, half)));
        return { rate: shots.reduce((x, y) => x + y.rate, 0), count: shots.reduce((x, y) => x + y.count, 0), p50: median(shots.map((x) => x.p50)), p99: Math.max(...shots.map((x) => x.p99)), failed: shots.reduce((x, y) => x + y.failed, 0) };
      },
      () => standbys.map((n) => n.proc.pid!),
    );
    const one = figure('reads on one node (the active)', () => active.proc.pid!, async (s) => cannon(`${await activeUrl()}/v1/secret/data/k0`, rotating([c.rootToken], READ_KEYS), s));
    const pairs: Pair[] = [
      { label: '3-node write / single node', aim: 0.5, coffer: w3, bare: w1 },
      { label: '3-node write via standby / single node', coffer: w3f, bare: w1 },
      { label: 'reads over 2 standbys / one node', coffer: spread, bare: one },
    ];
    if (baseline) {
      const pids = () => clusterPids(baseline);
      const wb = figure(`baseline 3-node write at the active`, () => pids()[0], async (s) => cannon(`${(await baseline.waitActive()).addr}/v1/secret/data/w`, writer(baseline.rootToken), s), pids);
      const standby = async () => {
        const a = await baseline.waitActive();
        return baseline.nodes.find((n) => n !== a)!.addr;
      };
      const wbf = figure(`baseline 3-node write via a standby`, () => pids()[0], async (s) => cannon(`${await standby()}/v1/secret/data/w`, writer(baseline.rootToken), s), pids);
      pairs.push(
        { label: '3-node write / baseline 3-node write', coffer: w3, bare: wb },
        { label: 'baseline 3-node write / single node', aim: 0.5, coffer: wb, bare: w1 },
        { label: 'via standby / baseline via standby', coffer: w3f, bare: wbf },
      );
    }
    for (const f of new Set(pairs.flatMap((p) => [p.coffer, p.bare]))) await measure(f, WARMUP_SECONDS);
    const changes = countLeaderChanges(c);
    const result = await interleave(pairs, ROUNDS, log);
    const leaderChanges = changes.stop();
    report(pairs, result, log);
    log(`\n${'latency (autocannon, per round)'.padEnd(44)} p50 median (min–max)      p99 median (max)     failed requests`);
    for (const [name, l] of latencies) {
      log(`${name.padEnd(44)} ${`${median(l.p50).toFixed(0)} ms (${Math.min(...l.p50)}–${Math.max(...l.p50)})`.padEnd(24)}  ${`${median(l.p99).toFixed(0)} ms (${Math.max(...l.p99)})`.padEnd(19)}  ${l.failed}`);
    }
    log(`\nleadership changes during the load: ${leaderChanges} (a spurious failover would show here)`);
    log(`\nRSS after the load (VmRSS, MiB)`);
    for (const [i, n] of c.nodes.entries()) log(`  ${n.name.padEnd(8)} coffer ${rssMiB(n.proc.pid)}   etcd member ${c.etcd.names[i] ?? '-'} ${rssMiB(c.etcd.members[i]?.pid)}`);
    log(`  single   coffer ${rssMiB(single.server.proc.pid)}   (no etcd)`);
  } finally {
    await single.server.stop();
  }
}

async function main(): Promise<void> {
  const log = (line: string) => console.log(line);
  log(`coffer bench:ha — ${machine()}, ${CONNECTIONS} connections, ${SECONDS} s per figure, ${ROUNDS} rounds, ${FAILOVER_TRIALS} failover trials`);
  log(`uptime at start: ${uptime()}`);
  const targets: FailoverTarget[] = [];
  try {
    const main = await startFailoverTarget();
    targets.push(main);
    if (ONLY !== 'failover') {
      let baseline: FailoverTarget | undefined;
      if (BASELINE) {
        log(`baseline: ${BASELINE}`);
        baseline = await startFailoverTarget(undefined, join(BASELINE, 'bin/coffer'));
      }
      try {
        await throughput(main.cluster, log, baseline?.cluster);
      } finally {
        await baseline?.cluster.stop();
      }
    }
    if (ONLY !== 'throughput') {
      for (const lease of FAILOVER_LEASES) targets.push(await startFailoverTarget(lease));
      for (const t of targets) await ensureSecretMount(t.cluster);
      log(`\nfailover trials (uptime ${uptime()})`);
      failoverReport(await failoverRounds(targets, FAILOVER_TRIALS, log), log);
    }
  } finally {
    await Promise.all(targets.map((t) => t.cluster.stop()));
  }
  log(`\nuptime at end: ${uptime()} (${machine()}; load average ${load()})`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});

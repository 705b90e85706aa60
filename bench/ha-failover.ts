// Failover time of an HA cluster (prints, never asserts): three `coffer server`
// processes on storage "etcd" over a 3-member etcd. Each trial kills the
// active with SIGKILL while a client writes through the other nodes, and
// measures kill → the first write acknowledged after it (standbys forward, so
// an acknowledged write means the new active took it). Watching the leader
// key from outside splits that time: kill → the dead active's lease expired
// (etcd deleted its key) → a standby won the election → first acknowledged
// write. The killed node is restarted and unsealed before the next trial.
// bench/ha.ts runs these trials too (npm run bench:ha), beside its throughput
// figures; with leases to compare, one cluster per lease, trials alternating.
//
//   node_modules/.bin/tsx bench/ha-failover.ts [trials=5] [lease seconds to compare, e.g. 3 2]
import { pathToFileURL } from 'node:url';
import { leaderKey } from '../server/ha/ha-runtime';
import { api } from '../tests/support/cluster';
import { health, startHaCluster, until, type HaCluster } from '../tests/ha/ha-cluster';
import { load, machine, median } from './interleave';

export interface FailoverTrial {
  victim: string;
  /** kill → first write acknowledged by the new active. */
  totalMs: number;
  /** kill → etcd deleted the dead active's leader key (its lease expired). */
  expiredMs: number | null;
  /** kill → the next leader key was written (a standby won). */
  electedMs: number | null;
}

/** A cluster under test, named for its lease. */
export interface FailoverTarget {
  tag: string;
  cluster: HaCluster;
}

const WRITES_BEFORE_KILL_MS = 500;
const RETRY_PAUSE_MS = 20;

/** Start a 3-node cluster whose election lease is `leaseSeconds` (undefined: election.ts's default) with a KV v2 mount at secret/; `bin`: another checkout's bin/coffer. */
export async function startFailoverTarget(leaseSeconds?: number, bin?: string): Promise<FailoverTarget> {
  const cluster = await startHaCluster(3, { bin, storageExtra: leaseSeconds === undefined ? undefined : `  lock_timeout = "${leaseSeconds}s"` });
  await ensureSecretMount(cluster);
  return { tag: leaseSeconds === undefined ? 'default lease' : `lease ${leaseSeconds} s`, cluster };
}

export async function ensureSecretMount(c: HaCluster): Promise<void> {
  const a = await c.waitActive();
  const r = await api(a.addr, 'POST', 'sys/mounts/secret', { token: c.rootToken, body: { type: 'kv', options: { version: '2' } } });
  if (r.status !== 204 && !/existing mount|path is already in use/.test(JSON.stringify(r.body))) throw new Error(`mount secret/: ${r.status} ${JSON.stringify(r.body)}`);
}

/** One trial: kill -9 of the active under writes through the standbys; the victim is back as a standby when it returns. */
export async function failoverTrial(c: HaCluster, t: number): Promise<FailoverTrial> {
  const victim = await c.waitActive();
  const others = c.nodes.filter((n) => n !== victim);
  // Every other node is a settled standby (it has applied the log and knows the active).
  for (const o of others) await until(`${o.name} standby`, async () => (await health(o.addr)) === 473);
  const etcd = c.etcd.all();
  const key = leaderKey(c.prefix);
  const from = (await etcd.range(key)).header.revision + 1;
  let killedAt = 0;
  let expiredAt = 0;
  let electedAt = 0;
  const watch = etcd.watch(key, { startRevision: from }, (res) => {
    for (const e of res.events) {
      if (!killedAt) continue;
      if (e.type === 'delete' && !expiredAt) expiredAt = Date.now();
      if (e.type === 'put' && !electedAt) electedAt = Date.now();
    }
  });
  await watch.ready;
  let firstAckAfterKill = 0;
  let stop = false;
  let i = 0;
  const writers = others.map(async (o) => {
    while (!stop) {
      const sent = Date.now();
      const r = await api(o.addr, 'POST', `secret/data/failover-${t}-${i++}`, { token: c.rootToken, body: { data: { t } } }).catch(() => null);
      if (r?.status === 200 && killedAt && sent >= killedAt && !firstAckAfterKill) firstAckAfterKill = Date.now();
      if (r?.status !== 200) await new Promise((res) => setTimeout(res, RETRY_PAUSE_MS));
    }
  });
  try {
    await new Promise((res) => setTimeout(res, WRITES_BEFORE_KILL_MS)); // writes flowing before the kill
    killedAt = Date.now();
    await victim.kill();
    await until('a write acknowledged after the kill', async () => firstAckAfterKill > 0, 60_000, 10);
  } finally {
    stop = true;
    await Promise.all(writers);
    watch.cancel();
  }
  const back = await c.restart(c.nodes.indexOf(victim));
  await c.unseal(back);
  return {
    victim: victim.name,
    totalMs: firstAckAfterKill - killedAt,
    expiredMs: expiredAt ? expiredAt - killedAt : null,
    electedMs: electedAt ? electedAt - killedAt : null,
  };
}

/** Nearest-rank percentile (with 20 trials, p99 is the slowest). */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
}

/** `trials` trials on every target, alternating between targets; each line printed as it comes. */
export async function failoverRounds(targets: FailoverTarget[], trials: number, log: (line: string) => void): Promise<Map<string, FailoverTrial[]>> {
  const out = new Map<string, FailoverTrial[]>(targets.map((x) => [x.tag, []]));
  for (let t = 0; t < trials; t++) {
    const order = t % 2 === 0 ? targets : [...targets].reverse();
    for (const x of order) {
      const r = await failoverTrial(x.cluster, t);
      out.get(x.tag)!.push(r);
      const part = (ms: number | null) => (ms === null ? '?' : String(ms));
      log(`  trial ${String(t + 1).padStart(2)}  ${x.tag.padEnd(14)} kill -9 of ${r.victim} → lease expired ${part(r.expiredMs)} ms → new active elected ${part(r.electedMs)} ms → first acknowledged write ${r.totalMs} ms  (load ${load()})`);
    }
  }
  return out;
}

export const FAILOVER_AIM_MS = 3_000;

export function failoverReport(results: Map<string, FailoverTrial[]>, log: (line: string) => void): void {
  log(`\nfailover (kill -9 of the active → first write acknowledged by the new active)`);
  for (const [tag, xs] of results) {
    const total = xs.map((x) => x.totalMs);
    const expired = xs.flatMap((x) => (x.expiredMs === null ? [] : [x.expiredMs]));
    const acked = xs.flatMap((x) => (x.electedMs === null ? [] : [x.totalMs - x.electedMs]));
    const p99 = percentile(total, 99);
    log(
      `  ${tag.padEnd(14)} ${xs.length} trials: p50 ${percentile(total, 50)} ms, p99 ${p99} ms (min ${Math.min(...total)}, max ${Math.max(...total)}); ` +
        `median kill → lease expired ${expired.length ? median(expired).toFixed(0) : '?'} ms, elected → first ack ${acked.length ? median(acked).toFixed(0) : '?'} ms; ` +
        `aim p99 ≤ ${FAILOVER_AIM_MS} ms: ${p99 <= FAILOVER_AIM_MS ? 'met' : 'not met'}`,
    );
  }
}

async function main(): Promise<void> {
  const trials = Number(process.argv[2] ?? 5);
  const leases = process.argv.slice(3).map(Number);
  const log = (line: string) => console.log(line);
  log(`coffer failover bench — ${machine()}, load average at start ${load()}`);
  const targets: FailoverTarget[] = [];
  try {
    for (const lease of leases.length ? leases : [undefined]) targets.push(await startFailoverTarget(lease));
    failoverReport(await failoverRounds(targets, trials, log), log);
    log(`load average at end ${load()}`);
  } finally {
    await Promise.all(targets.map((x) => x.cluster.stop()));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}

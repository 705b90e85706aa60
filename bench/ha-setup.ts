// What bench:ha and bench:kv's HA mode (BENCH_STORAGE=ha) share about a
// running 3-node cluster: waiting until the standbys have applied what the
// active committed, counting leadership changes during the load, and the
// processes whose CPU one durable write costs.
import { leaderKey } from '../server/ha/ha-runtime';
import { api } from '../tests/support/cluster';
import { until, type HaCluster } from '../tests/ha/ha-cluster';

/** Every standby has applied the active's committed index (so reads there see the seeded data). */
export async function waitStandbysApplied(c: HaCluster): Promise<void> {
  const active = await c.waitActive();
  const committed = (await api(active.addr, 'GET', 'sys/leader')).body.raft_committed_index as number;
  for (const n of c.nodes.filter((x) => x !== active)) {
    await until(`${n.name} to apply up to ${committed}`, async () => ((await api(n.addr, 'GET', 'sys/leader')).body?.raft_applied_index ?? 0) >= committed, 120_000);
  }
}

/** Counts terms that ended (leader key deleted) from now until stop(): a lease too short for the machine's load shows here. */
export function countLeaderChanges(c: HaCluster): { stop(): number } {
  let changes = 0;
  const w = c.etcd.all().watch(leaderKey(c.prefix), {}, (res) => (changes += res.events.filter((e) => e.type === 'delete').length));
  w.done.catch(() => undefined);
  return {
    stop() {
      w.cancel();
      return changes;
    },
  };
}

/** Every coffer node and etcd member: what a durable write costs the machine. */
export const clusterPids = (c: HaCluster): number[] => [...c.nodes.map((n) => n.proc.pid!), ...c.etcd.members.map((m) => m.pid!).filter(Boolean)];

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/cluster';
import { replStatus, type Mode } from '../support/replication';
import { until, type HaCluster, type HaNode } from './ha-cluster';
import { activeOf, clusterAddrOf, convergedHa, DR_ID, merkleSyncs, PERF_ID, PRELOADED, startReplicatedHa, type ReplicatedHa } from './ha-replication-clusters';
import { writeLoad } from './write-load';

// Replication between HA clusters survives an active-node failover on either
// side (issue 9 item 5): a 3-node primary cluster, a 3-node performance
// secondary cluster and a 3-node DR secondary cluster (nine coffer processes
// over one shared 3-member etcd). Each case kills (or steps down) one
// cluster's active while clients write to the primary, then checks that
// streaming resumed from the stored position — no secondary ran a merkle sync
// — that the merkle roots agree, and that every acknowledged write is on the
// performance secondary.

let env: ReplicatedHa;

beforeAll(async () => {
  env = await startReplicatedHa();
}, 420_000);

afterAll(async () => {
  await env?.stop();
}, 120_000);

const syncCounts = () => ({ perf: merkleSyncs(env.perf), dr: merkleSyncs(env.dr) });

/** Every acknowledged write reads back on the performance secondary's active. */
async function expectOnPerf(acked: Map<string, number>): Promise<void> {
  const s = await activeOf(env.perf);
  const entries = [...acked];
  for (let i = 0; i < entries.length; i += 20) {
    await Promise.all(
      entries.slice(i, i + 20).map(async ([key, n]) => {
        const r = await until(`${key} on the performance secondary`, async () => {
          const x = await api(s.addr, 'GET', `secret/data/${key}`, { token: env.perfToken });
          return x.status === 200 ? x : null;
        }, 30_000);
        expect(r.body.data.data).toEqual({ i: n });
      }),
    );
  }
}

/**
 * Under write load on the primary: `fault` takes one cluster's active away and
 * returns it. Afterwards both secondaries stream again from where they were
 * (no merkle sync), their roots equal the primary's, and nothing acknowledged is missing.
 */
async function survives(cluster: HaCluster, prefix: string, fault: (active: HaNode) => Promise<void>): Promise<{ old: HaNode; next: HaNode }> {
  const syncs = syncCounts();
  const old = await activeOf(cluster);
  const load = writeLoad(env.primary, prefix);
  let next: HaNode;
  try {
    await until('writes to flow', async () => load.count() >= 20);
    await fault(old);
    next = await activeOf(cluster, [old]);
    const before = load.count();
    await until('writes acknowledged after the failover', async () => load.count() >= before + 20, 120_000);
  } finally {
    await load.stop();
  }
  await Promise.all([convergedHa(env.primary, env.perf, 'performance'), convergedHa(env.primary, env.dr, 'dr')]);
  expect(syncCounts(), 'merkle syncs run by the secondaries').toEqual(syncs);
  await expectOnPerf(load.acked);
  return { old, next };
}

/** kill -9 of a secondary cluster's active under writes; then the primary must see that secondary connected from the node that took over. */
async function secondaryActiveKilled(c: HaCluster, mode: Mode, prefix: string): Promise<void> {
  const { next } = await survives(c, prefix, (a) => a.kill());
  const p = await activeOf(env.primary);
  await until(`the primary to see the ${mode === 'dr' ? 'DR' : 'performance'} secondary at its new active`, async () => {
    const row = (await replStatus(p.addr, mode)).secondaries[0];
    return row?.cluster_address === clusterAddrOf(next) && row.connection_status === 'connected';
  });
}

/** The secondary's status as its active reports it. */
async function secondaryStatus(c: HaCluster, mode: Mode) {
  return replStatus((await activeOf(c)).addr, mode);
}

describe('replication between HA clusters', () => {
  it('a secondary lists every node of the primary cluster and follows its active, even when its activation token named a standby', async () => {
    const p = await activeOf(env.primary);
    const all = env.primary.nodes.map(clusterAddrOf).sort();
    for (const [c, mode] of [[env.perf, 'performance'], [env.dr, 'dr']] as const) {
      const s = await until(`${mode} secondary to list every primary node`, async () => {
        const st = await secondaryStatus(c, mode);
        return st.known_primary_cluster_addrs?.length === 3 ? st : null;
      });
      expect([...s.known_primary_cluster_addrs].sort()).toEqual(all);
      expect(s.primary_cluster_addr).toBe(clusterAddrOf(p));
      expect(s.primaries).toHaveLength(1);
      expect(s.primaries[0]).toMatchObject({ cluster_address: clusterAddrOf(p), api_address: p.addr, connection_status: 'connected' });
    }
    // The DR token named a standby: it answered "not active, the active is …" and the secondary went there.
    const standby = clusterAddrOf(env.tokenStandby!);
    expect(env.dr.nodes.some((n) => n.output().includes(`primary node ${standby} is not active; the active is ${clusterAddrOf(p)}`))).toBe(true);
    // Every node of a secondary cluster holds the same replication state (it comes through its HA log).
    for (const n of env.perf.nodes) expect((await replStatus(n.addr, 'performance')).known_primary_cluster_addrs.sort()).toEqual(all);
    // The primary knows its secondaries by id, each at its cluster's active.
    const ps = await replStatus(p.addr, 'performance');
    expect(ps.known_secondaries).toEqual([PERF_ID]);
    expect(ps.secondaries[0]).toMatchObject({ node_id: PERF_ID, cluster_address: clusterAddrOf(await activeOf(env.perf)), connection_status: 'connected' });
    expect((await replStatus(p.addr, 'dr')).known_secondaries).toEqual([DR_ID]);
  }, 180_000);

  it('a secondary HA cluster bootstraps from a primary holding more keys than one etcd txn carries', async () => {
    await convergedHa(env.primary, env.perf, 'performance');
    await convergedHa(env.primary, env.dr, 'dr');
    await expectOnPerf(new Map(Array.from({ length: PRELOADED }, (_, i) => [`pre-${i}`, i])));
  }, 180_000);

  it("kill -9 of the primary's active under writes: both secondaries resume from their position on the new active, nothing acknowledged is lost", async () => {
    const { next } = await survives(env.primary, 'p-kill', (a) => a.kill());
    for (const [c, mode] of [[env.perf, 'performance'], [env.dr, 'dr']] as const) {
      const s = await secondaryStatus(c, mode);
      expect(s.primary_cluster_addr).toBe(clusterAddrOf(next));
      expect(s.primaries[0].cluster_address).toBe(clusterAddrOf(next));
      expect(s.known_primary_cluster_addrs).toContain(clusterAddrOf(next));
    }
  }, 300_000);

  it("kill -9 of the performance secondary's active: a standby takes over and keeps streaming from the same position", async () => {
    await secondaryActiveKilled(env.perf, 'performance', 's-kill');
  }, 300_000);

  it("kill -9 of the DR secondary's active: a standby takes over and applies the backlog (more than one etcd txn holds) from the same position", async () => {
    await secondaryActiveKilled(env.dr, 'dr', 'd-kill');
  }, 300_000);

  it("step-down of the primary's active: the secondaries move to the node that takes over, without a merkle sync", async () => {
    const { old, next } = await survives(env.primary, 'p-step', async (a) => {
      const r = await api(a.addr, 'PUT', 'sys/step-down', { token: env.primary.rootToken });
      expect(r.status).toBe(204);
    });
    expect(next).not.toBe(old);
    for (const [c, mode] of [[env.perf, 'performance'], [env.dr, 'dr']] as const) expect((await secondaryStatus(c, mode)).primary_cluster_addr).toBe(clusterAddrOf(next));
  }, 300_000);
});

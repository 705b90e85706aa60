import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/cluster';
import { leaderKey } from '../../server/ha/ha-runtime';
import { nodesPrefix } from '../../server/ha/ha-registry';
import { health, startHaCluster, until, type HaCluster } from './ha-cluster';
import { watchFeed } from './feed-watch';

// A sealed node cannot serve, so it never campaigns: with the only unsealed
// nodes gone, the cluster stays without an active (the leader key stays
// absent in etcd) however long the sealed node keeps running, and it takes the
// role only once it is unsealed.

let c: HaCluster;

beforeAll(async () => {
  c = await startHaCluster(3, { leaveSealed: [2] });
}, 240_000);

afterAll(async () => {
  await c?.stop();
}, 120_000);

describe('HA and the seal', () => {
  it('the status feed lists every node of the cluster: the active, the standby, and the sealed node as sealed', async () => {
    const active = await c.waitActive();
    const standby = c.nodes.find((n) => n !== active && n !== c.nodes[2])!;
    const expected = c.nodes
      .map((n) => ({ node_id: n.name, api_address: n.addr, state: n === active ? 'active' : n === standby ? 'standby' : 'sealed' }))
      .sort((a, b) => a.node_id.localeCompare(b.node_id, 'en', { numeric: true }));
    // Every node's feed says the same, the sealed node's own included.
    for (const node of c.nodes) {
      const feed = watchFeed(node.addr);
      try {
        await until(`${node.name}'s feed to list the three nodes`, async () => JSON.stringify(feed.latest()?.ha) === JSON.stringify(expected), 30_000);
      } finally {
        feed.close();
      }
    }
  }, 120_000);

  it('a sealed node never becomes active', async () => {
    const sealed = c.nodes[2];
    const etcd = c.etcd.all();
    expect(await health(sealed.addr)).toBe(503);
    // Kill the unsealed nodes one after the other: the other unsealed one takes over, never the sealed one.
    const first = await c.waitActive();
    expect(first).not.toBe(sealed);
    await first.kill();
    const second = await c.waitActive({ exclude: [first] });
    expect(second).not.toBe(sealed);
    await second.kill();

    // No node holds the role: the dead active's lease runs out and the leader key goes.
    await until('the leader key to expire', async () => (await etcd.get(leaderKey(c.prefix))) === null, 30_000);
    // The sealed node is alive and echoing all along; watch two more of its echoes pass with no leader appearing.
    const echoOf = async () => {
      const kv = await etcd.get(`${nodesPrefix(c.prefix)}${sealed.name}`);
      return kv ? (JSON.parse(kv.value.toString()) as { last_echo: string }).last_echo : null;
    };
    const seen = new Set<string>();
    const leadersSeen: string[] = [];
    await until('two more echoes of the sealed node', async () => {
      const e = await echoOf();
      if (e) seen.add(e);
      const leader = await etcd.get(leaderKey(c.prefix));
      if (leader) leadersSeen.push(leader.value.toString());
      return seen.size >= 3;
    }, 30_000, 200);
    expect(leadersSeen).toEqual([]);
    expect(await health(sealed.addr)).toBe(503);
    expect((await api(sealed.addr, 'GET', 'sys/seal-status')).body.sealed).toBe(true);

    // Unsealed, it campaigns and becomes the active.
    await c.unseal(sealed);
    const now = await c.waitActive();
    expect(now).toBe(sealed);
  }, 240_000);
});

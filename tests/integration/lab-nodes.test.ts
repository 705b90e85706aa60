import { afterAll, describe, expect, it } from 'vitest';
import { api } from '../support/cluster';
import { startLab, type Lab } from '../support/lab';
import { waitFor } from '../support/replication';

// `coffer lab -nodes=3 -clusters=dallas`: one lab cluster made of three real
// `coffer server` processes with storage "raft" and retry_join stanzas naming
// each other (each with its own supervised etcd member), initialised and
// unsealed by the lab, answering to the lab's shared root token.
const NODE_OFFSETS = [0, 10, 20];

let lab: Lab | null = null;
afterAll(async () => {
  await lab?.stop();
});

describe('coffer lab -nodes=3', () => {
  it('coffer lab -nodes=3 starts three nodes per cluster that form one HA cluster each', async () => {
    lab = await startLab(['-nodes=3', '-clusters=dallas'], NODE_OFFSETS);
    const out = lab.output();
    const addrs = NODE_OFFSETS.map((o) => lab!.addr(o));

    // The table: one row per node with its API address and role, exactly one active.
    for (const [i, addr] of addrs.entries()) expect(out).toMatch(new RegExp(`dallas\\s+dallas-${i + 1}\\s+${addr}\\s`));
    expect(out.match(/\s(active|standby)\s*$/gm)?.map((s) => s.trim()).sort()).toEqual(['active', 'standby', 'standby']);

    // One HA cluster: every node lists the same three nodes, one of them active.
    for (const addr of addrs) {
      const ha = await api(addr, 'GET', 'sys/ha-status', { token: 'root' });
      expect(ha.status, JSON.stringify(ha.body)).toBe(200);
      expect(ha.body.Nodes.map((n: { hostname: string }) => n.hostname).sort()).toEqual(['dallas-1', 'dallas-2', 'dallas-3']);
      expect(ha.body.Nodes.filter((n: { active_node: boolean }) => n.active_node)).toHaveLength(1);
    }
    const peers = await api(addrs[0], 'GET', 'sys/storage/raft/configuration', { token: 'root' });
    expect(peers.body.data.config.servers.map((s: { node_id: string; voter: boolean }) => [s.node_id, s.voter])).toEqual([
      ['dallas-1', true],
      ['dallas-2', true],
      ['dallas-3', true],
    ]);

    // A write through a standby (forwarded to the active) reads back on every node.
    const leader = await api(addrs[0], 'GET', 'sys/leader');
    const standby = addrs.find((a) => a !== leader.body.leader_address)!;
    const w = await api(standby, 'POST', 'secret/data/lab-nodes', { token: 'root', body: { data: { via: 'standby' } } });
    expect(w.status, JSON.stringify(w.body)).toBe(200);
    for (const addr of addrs) {
      await waitFor(`${addr} to read the write`, async () => (await api(addr, 'GET', 'secret/data/lab-nodes', { token: 'root' })).body?.data?.data?.via === 'standby', 60_000);
    }

    // Unplanned drills stop and start lab clusters through any node (sys/lab/clusters): the lab's link reached the nodes too.
    const labClusters = await api(standby, 'LIST', 'sys/lab/clusters', { token: 'root' });
    expect(labClusters.status, JSON.stringify(labClusters.body)).toBe(200);
    expect(labClusters.body.data.keys).toEqual(['dallas']);

    lab.proc.kill('SIGINT');
    await waitFor('the lab to exit', async () => lab!.proc.exitCode !== null, 60_000);
    for (const a of addrs) await expect(fetch(`${a}/v1/sys/health`)).rejects.toThrow();
  }, 420_000);
});

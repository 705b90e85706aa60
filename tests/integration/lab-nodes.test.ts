import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { api, COFFER_BIN, REPO_ROOT } from '../support/cluster';
import { waitFor } from '../support/replication';

// `coffer lab -nodes=3 -clusters=dallas`: one lab cluster made of three real
// `coffer server` processes with storage "raft" and retry_join stanzas naming
// each other (each with its own supervised etcd member), initialised and
// unsealed by the lab, answering to the lab's shared root token.
const NODE_OFFSETS = [0, 10, 20];

const free = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

async function freeBase(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    // Below Linux's ephemeral range (32768+), where outgoing connections (etcd's among them) would take ports meanwhile.
    const base = 10_000 + 10 * Math.floor(Math.random() * 2_200);
    // API, cluster, etcd peer and etcd client port of each node.
    const ports = NODE_OFFSETS.flatMap((o) => [0, 1, 2, 3].map((k) => base + o + k));
    if ((await Promise.all(ports.map(free))).every(Boolean)) return base;
  }
  throw new Error('no free port range for the lab');
}

let lab: ChildProcess | null = null;
let out = '';
afterAll(() => {
  if (lab && lab.exitCode === null) lab.kill('SIGKILL');
});

describe('coffer lab -nodes=3', () => {
  it('coffer lab -nodes=3 starts three nodes per cluster that form one HA cluster each', async () => {
    const base = await freeBase();
    lab = spawn(COFFER_BIN, ['lab', '-nodes=3', '-clusters=dallas', `-base-port=${base}`, '-no-ui'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    lab.stdout!.on('data', (d) => (out += d));
    lab.stderr!.on('data', (d) => (out += d));
    await waitFor('the lab to be up', async () => out.includes('Press Ctrl-C') || lab!.exitCode !== null, 300_000, 250);
    expect(out).toContain('Press Ctrl-C');
    const addrs = NODE_OFFSETS.map((o) => `http://127.0.0.1:${base + o}`);

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

    lab.kill('SIGINT');
    await waitFor('the lab to exit', async () => lab!.exitCode !== null, 60_000);
    for (const a of addrs) await expect(fetch(`${a}/v1/sys/health`)).rejects.toThrow();
  }, 420_000);
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCoffer } from '../support/cli';
import { api } from '../support/cluster';
import { initAndUnseal } from '../support/disk-scan';
import { etcdProcessesFor, peers, startRaftNode, unsealWith, waitFor, type RaftNode } from './raft-nodes';

// Vault's manual flow across real processes: `operator raft join <leader>` on
// a new node, unseal it with the cluster's keys → it is a voter with the
// cluster's data; list-peers prints seed 002's table; remove-peer takes a
// node out and its supervisor stops its member.

const started: RaftNode[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

const home = mkdtempSync(join(tmpdir(), 'coffer-raft-cli-'));
const table = (stdout: string) => stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));

describe('operator raft join / list-peers / remove-peer', () => {
  let a: RaftNode;
  let b: RaftNode;
  let c: RaftNode;
  let root = '';
  let keys: string[] = [];

  it("a joined node waiting for its unseal keys: sys/health says initialized and sealed (503), not uninitialized (501), as sys/init does; non_voter is refused", async () => {
    a = await startRaftNode({ name: 'node-a' });
    b = await startRaftNode({ name: 'node-b' });
    c = await startRaftNode({ name: 'node-c' });
    started.push(a, b, c);
    ({ rootToken: root, keys } = await initAndUnseal(a, 3));
    expect((await api(a.addr, 'PUT', 'sys/policy/joined', { token: root, body: { policy: 'path "secret/*" { capabilities = ["read"] }' } })).status).toBe(204);
    // A non-voter would be an etcd learner, which cannot serve the watch a node follows the HA log with.
    const nonVoter = await api(b.addr, 'POST', 'sys/storage/raft/join', { body: { leader_api_addr: a.addr, non_voter: true } });
    expect(nonVoter.status).toBe(400);
    expect(nonVoter.body.errors[0]).toMatch(/non-voter/);
    const cli = await runCoffer(['operator', 'raft', 'join', '-non-voter', a.addr], { addr: b.addr, home });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/non-voter/);
    expect((await api(b.addr, 'GET', 'sys/health')).status).toBe(501); // still a new node: nothing was joined

    for (const n of [b, c]) {
      const joined = await runCoffer(['operator', 'raft', 'join', a.addr], { addr: n.addr, home });
      expect(joined.code, joined.stderr).toBe(0);
      expect(table(joined.stdout)).toEqual([['Key', 'Value'], ['---', '-----'], ['Joined', 'true']]);
      const h = await api(n.addr, 'GET', 'sys/health');
      expect(h.status).toBe(503);
      expect(h.body).toMatchObject({ initialized: true, sealed: true, removed_from_cluster: false });
      expect((await api(n.addr, 'GET', 'sys/init')).body).toEqual({ initialized: true });
    }
  }, 600_000);

  it('operator raft join then unseal adds a voter and list-peers shows the seed\'s table', async () => {
    for (const n of [b, c]) {
      const unsealed = await unsealWith(n.addr, keys);
      if (unsealed.status !== 200) console.log(a.output().slice(-6000), "\n----B----\n", n.output().slice(-3000));
      expect(unsealed.status, JSON.stringify(unsealed.body)).toBe(200);
      expect(unsealed.body.sealed).toBe(false);
      // The cluster's data came with the join: the policy written on node-a is here.
      const policy = await api(n.addr, 'GET', 'sys/policy/joined', { token: root });
      expect(policy.status).toBe(200);
    }

    const listed = await runCoffer(['operator', 'raft', 'list-peers'], { addr: a.addr, home, token: root });
    expect(listed.code, listed.stderr).toBe(0);
    const rows = table(listed.stdout);
    expect(rows[0]).toEqual(['Node', 'Address', 'State', 'Voter']);
    expect(rows.slice(2).sort((x, y) => x[0].localeCompare(y[0]))).toEqual([
      [a.nodeId, `127.0.0.1:${a.port + 1}`, 'leader', 'true'],
      [b.nodeId, `127.0.0.1:${b.port + 1}`, 'follower', 'true'],
      [c.nodeId, `127.0.0.1:${c.port + 1}`, 'follower', 'true'],
    ]);
    const json = await runCoffer(['operator', 'raft', 'list-peers', '-format=json'], { addr: b.addr, home, token: root });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).data.config.servers.map((s: { node_id: string }) => s.node_id).sort()).toEqual([a.nodeId, b.nodeId, c.nodeId].sort());

    const state = await waitFor('autopilot to see three healthy voters', async () => {
      const r = await api(a.addr, 'GET', 'sys/storage/raft/autopilot/state', { token: root });
      return r.status === 200 && r.body.data.healthy ? r.body.data : null;
    });
    expect(state).toMatchObject({ failure_tolerance: 1, leader: a.nodeId });
    expect(state.voters.sort()).toEqual([a.nodeId, b.nodeId, c.nodeId].sort());
    expect(state.servers[b.nodeId]).toMatchObject({ id: b.nodeId, name: b.nodeId, address: `127.0.0.1:${b.port + 1}`, node_status: 'alive', healthy: true, status: 'voter' });
    const cliState = await runCoffer(['operator', 'raft', 'autopilot', 'state'], { addr: a.addr, home, token: root });
    expect(cliState.code, cliState.stderr).toBe(0);
    expect(cliState.stdout).toMatch(/Healthy:\s+true/);
    expect(cliState.stdout).toMatch(/Failure Tolerance:\s+1/);
  }, 600_000);

  it('remove-peer prints Peer removed successfully! and the peer leaves the configuration', async () => {
    const removed = await runCoffer(['operator', 'raft', 'remove-peer', c.nodeId], { addr: a.addr, home, token: root });
    if (removed.code !== 0) console.log(a.output().slice(-3000));
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout.trim()).toBe('Peer removed successfully!');
    expect((await peers(a.addr, root)).map((p) => p.node_id).sort()).toEqual([a.nodeId, b.nodeId].sort());
    // The removed node's supervisor notices: its member stops and the node seals.
    await waitFor('the removed member to stop', async () => etcdProcessesFor(c.dataDir).length === 0);
    await waitFor('the removed node to seal', async () => (await api(c.addr, 'GET', 'sys/seal-status')).body.sealed === true);
    // Vault's sys/health for a node removed from its raft cluster: 530 (removedcode), ahead of sealed.
    const h = await api(c.addr, 'GET', 'sys/health');
    expect(h.status).toBe(530);
    expect(h.body).toMatchObject({ initialized: true, sealed: true, removed_from_cluster: true });
    expect((await api(c.addr, 'GET', 'sys/health?removedcode=299')).status).toBe(299);
    expect((await api(a.addr, 'GET', 'sys/health')).body.removed_from_cluster).toBe(false);
    // It keeps a copy of the data, so it must not come back as a second cluster: unseal is refused.
    const unseal = await api(c.addr, 'PUT', 'sys/unseal', { body: { key: keys[0] } });
    expect(unseal.status).toBe(400);
    expect(unseal.body.errors[0]).toContain('removed from its raft cluster');
    const again = await runCoffer(['operator', 'raft', 'remove-peer', c.nodeId], { addr: a.addr, home, token: root });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`no peer named ${c.nodeId}`);
  }, 300_000);

  it('a member stopped with SIGTERM restarts its etcd member from its data dir and is the same voter after unseal', async () => {
    await b.stop();
    expect(etcdProcessesFor(b.dataDir)).toEqual([]); // the member went with the node
    const again = await b.restart();
    started.push({ ...again, nodeId: b.nodeId });
    await waitFor('the restarted member to run', async () => etcdProcessesFor(b.dataDir).length === 1);
    const r = await unsealWith(again.addr, keys);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.sealed).toBe(false);
    const servers = await waitFor('both voters alive', async () => {
      const st = await api(a.addr, 'GET', 'sys/storage/raft/autopilot/state', { token: root });
      return st.status === 200 && st.body.data.healthy && Object.keys(st.body.data.servers).length === 2 ? st.body.data.servers : null;
    });
    expect(Object.keys(servers).sort()).toEqual([a.nodeId, b.nodeId].sort());
    expect((await api(again.addr, 'GET', 'sys/policy/joined', { token: root })).status).toBe(200);
  }, 300_000);
});

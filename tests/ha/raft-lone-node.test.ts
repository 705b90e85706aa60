import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, COFFER_BIN, REPO_ROOT } from '../support/cluster';
import { initAndUnseal } from '../support/disk-scan';
import { freePortPair } from '../support/ports';
import { etcdProcessesFor, peers, startRaftNode, unsealWith, type RaftNode } from './raft-nodes';

// storage "raft" before any join: a lone node keeps running on SQLite alone
// (no etcd process), auto_join is a clear start-up error, and a join whose
// unseal keys are not the cluster's never reaches the cluster.

const started: RaftNode[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

describe('storage "raft" on one node', () => {
  it('auto_join with a cloud provider is a clear start-up error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-autojoin-'));
    const port = await freePortPair();
    const file = join(dir, 'coffer.hcl');
    writeFileSync(
      file,
      `storage "raft" {\n  path = "${dir}"\n  node_id = "node-a"\n  retry_join {\n    auto_join = "provider=aws region=us-east-1 tag_key=vault tag_value=east-1"\n  }\n}\nlistener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_disable = 1\n}\n`,
    );
    const child = spawn(COFFER_BIN, ['server', `-config=${file}`], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(out).toContain('retry_join #1: auto_join ("provider=aws region=us-east-1 tag_key=vault tag_value=east-1") is not available here');
  }, 120_000);

  it('a lone raft node starts no etcd process', async () => {
    const a = await startRaftNode({ name: 'lone' });
    started.push(a);
    const { rootToken } = await initAndUnseal(a);
    expect(await peers(a.addr, rootToken)).toEqual([{ node_id: a.nodeId, address: `127.0.0.1:${a.port + 1}`, leader: true, voter: true, protocol_version: '3' }]);
    const state = await api(a.addr, 'GET', 'sys/storage/raft/autopilot/state', { token: rootToken });
    expect(state.status).toBe(200);
    expect(state.body.data).toMatchObject({ healthy: true, failure_tolerance: 0, leader: a.nodeId, voters: [a.nodeId] });
    expect(etcdProcessesFor(a.dataDir)).toEqual([]);
    expect(existsSync(join(a.dataDir, 'etcd'))).toBe(false);
    expect(existsSync(join(a.dataDir, 'raft-member.json'))).toBe(false);
    // An initialized node does not join anyone.
    const join2 = await api(a.addr, 'POST', 'sys/storage/raft/join', { body: { leader_api_addr: 'http://127.0.0.1:1' } });
    expect(join2.status).toBe(400);
    expect(join2.body.errors[0]).toContain('already initialized');
  }, 240_000);

  it('a join answered with the wrong keys is refused and the cluster is unchanged', async () => {
    const leader = await startRaftNode({ name: 'leader' });
    const other = await startRaftNode({ name: 'other' });
    const joiner = await startRaftNode({ name: 'joiner' });
    started.push(leader, other, joiner);
    const { rootToken } = await initAndUnseal(leader);
    const otherKeys = (await initAndUnseal(other)).keys;

    const join = await api(joiner.addr, 'POST', 'sys/storage/raft/join', { body: { leader_api_addr: leader.addr } });
    expect(join.status, JSON.stringify(join.body)).toBe(200);
    expect(join.body).toEqual({ joined: true });
    const status = await api(joiner.addr, 'GET', 'sys/seal-status');
    expect(status.body).toMatchObject({ initialized: true, sealed: true, t: 1, n: 1 });
    // Joining, it is unsealed with the cluster's keys: never initialized as a cluster of its own.
    const init = await api(joiner.addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    expect(init.status).toBe(400);
    expect(init.body.errors[0]).toContain('joining a raft cluster');

    const unseal = await unsealWith(joiner.addr, otherKeys);
    expect(unseal.status).toBe(400);
    expect(unseal.body.errors).toEqual(['Unseal failed, invalid key']);
    // A forged answer sent straight to the leader is refused too (and burns the challenge).
    const challenge = await api(leader.addr, 'POST', 'sys/storage/raft/bootstrap/challenge', { body: { server_id: 'mallory' } });
    expect(challenge.status).toBe(200);
    expect(Object.keys(challenge.body).sort()).toEqual(['challenge', 'seal_config', 'seal_record', 'server_id']);
    const forged = await api(leader.addr, 'POST', 'sys/storage/raft/bootstrap/answer', {
      body: { server_id: 'mallory', answer: Buffer.alloc(32).toString('base64'), peer_url: 'https://127.0.0.1:1', api_addr: 'http://127.0.0.1:1', cluster_addr: 'https://127.0.0.1:2' },
    });
    expect(forged.status).toBe(403);

    expect(await peers(leader.addr, rootToken)).toHaveLength(1);
    expect(etcdProcessesFor(leader.dataDir)).toEqual([]);
    expect(etcdProcessesFor(joiner.dataDir)).toEqual([]);
    expect((await api(joiner.addr, 'GET', 'sys/seal-status')).body.sealed).toBe(true);
  }, 240_000);

  it('the join challenge is refused while the leader is sealed, and past its rate limit', async () => {
    const leader = await startRaftNode({ name: 'limits' });
    started.push(leader);
    const sealedAnswer = await api(leader.addr, 'POST', 'sys/storage/raft/bootstrap/challenge', { body: { server_id: 'x' } });
    expect(sealedAnswer.status).toBe(503);
    await initAndUnseal(leader);
    const codes: number[] = [];
    for (let i = 0; i < 40; i++) codes.push((await api(leader.addr, 'POST', 'sys/storage/raft/bootstrap/challenge', { body: { server_id: `n${i}` } })).status);
    expect(codes.filter((c) => c === 200).length).toBeLessThanOrEqual(16);
    expect(codes).toContain(429);
    expect((await api(leader.addr, 'POST', 'sys/storage/raft/bootstrap/challenge', { body: { server_id: '../../etc' } })).status).toBe(400);
  }, 240_000);
});

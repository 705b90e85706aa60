import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCoffer } from '../support/cli';
import { api } from '../support/cluster';
import { initAndUnseal } from '../support/disk-scan';
import { etcdProcessesFor, peers, startRaftNode, unsealWith, waitFor, type RaftNode } from './raft-nodes';

// The raft peer a Vault user calls "leader" is the node that serves writes:
// Coffer's active node. etcd's own raft leader stays put across a step-down,
// so these two can differ; the peer views must follow the active. Removing
// the active itself is refused (step it down first) instead of failing mid-request.

const nodes: RaftNode[] = [];
const home = mkdtempSync(join(tmpdir(), 'coffer-raft-active-'));
let root = '';

async function activeNode(exclude?: RaftNode): Promise<RaftNode> {
  return waitFor('an active node', async () => {
    for (const n of nodes) {
      if (n === exclude) continue;
      const r = await api(n.addr, 'GET', 'sys/leader');
      if (r.status === 200 && r.body.is_self === true) return n;
    }
    return null;
  });
}

/** POST {} to an etcd member's maintenance/status, over https with the member's own files when it serves clients under TLS. */
function memberStatus(args: string[]): Promise<{ header?: { member_id?: string }; leader?: string } | null> {
  const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const url = flag('listen-client-urls');
  if (!url) return Promise.resolve(null);
  const tls = url.startsWith('https:')
    ? // The member's certificate names the member, not 127.0.0.1: the chain is checked, the host name is not (as Coffer's own client does).
      { ca: readFileSync(flag('trusted-ca-file')!), cert: readFileSync(flag('cert-file')!), key: readFileSync(flag('key-file')!), checkServerIdentity: () => undefined }
    : {};
  return new Promise((resolve) => {
    const req = (url.startsWith('https:') ? httpsRequest : httpRequest)(`${url}/v3/maintenance/status`, { method: 'POST', ...tls }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch {
          resolve(null);
        }
      });
    });
    req.on('error', () => resolve(null));
    req.end('{}');
  });
}

/** The node whose supervised etcd member is etcd's raft leader. */
async function etcdLeader(): Promise<RaftNode | null> {
  for (const n of nodes) {
    const pid = etcdProcessesFor(n.dataDir)[0];
    if (!pid) continue;
    const status = await memberStatus(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'));
    if (status?.header?.member_id && status.header.member_id === status.leader) return n;
  }
  return null;
}

beforeAll(async () => {
  for (const name of ['act-a', 'act-b', 'act-c']) nodes.push(await startRaftNode({ name }));
  const [a, ...rest] = nodes;
  const init = await initAndUnseal(a, 3);
  root = init.rootToken;
  for (const n of rest) {
    const joined = await runCoffer(['operator', 'raft', 'join', a.addr], { addr: n.addr, home });
    expect(joined.code, joined.stderr).toBe(0);
    const unsealed = await unsealWith(n.addr, init.keys);
    expect(unsealed.status, JSON.stringify(unsealed.body)).toBe(200);
  }
  await waitFor('three peers', async () => (await peers(a.addr, root)).length === 3);
}, 600_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
});

describe('raft peers and the active node', () => {
  it('list-peers names the active node as leader after a step-down', async () => {
    const before = await activeNode();
    expect((await api(before.addr, 'PUT', 'sys/step-down', { token: root })).status).toBe(204);
    const after = await activeNode(before);
    // Every node, asked directly, names the new active as the one leader.
    for (const n of nodes) {
      const servers = await waitFor(`${n.nodeId} to name ${after.nodeId} leader`, async () => {
        const s = await peers(n.addr, root);
        return s.find((p) => p.leader)?.node_id === after.nodeId ? s : null;
      });
      expect(servers.filter((p) => p.leader).map((p) => p.node_id)).toEqual([after.nodeId]);
    }
    const listed = await runCoffer(['operator', 'raft', 'list-peers'], { addr: before.addr, home, token: root });
    expect(listed.code, listed.stderr).toBe(0);
    const rows = listed.stdout.trim().split('\n').slice(2).map((l) => l.trim().split(/\s+/));
    expect(rows.filter((r) => r[2] === 'leader').map((r) => r[0])).toEqual([after.nodeId]);
    const state = await api(after.addr, 'GET', 'sys/storage/raft/autopilot/state', { token: root });
    expect(state.status).toBe(200);
    expect(state.body.data.leader).toBe(after.nodeId);
    expect(state.body.data.servers[after.nodeId].status).toBe('leader');
    expect(state.body.data.servers[before.nodeId].status).toBe('voter');
  }, 300_000);

  it('remove-peer of the active node is refused with a clear error', async () => {
    const active = await activeNode();
    const standby = nodes.find((n) => n !== active)!;
    const before = (await peers(active.addr, root)).map((p) => p.node_id).sort();
    // Asked of the active, and of a standby (which forwards to the active).
    for (const via of [active, standby]) {
      const r = await api(via.addr, 'PUT', 'sys/storage/raft/remove-peer', { token: root, body: { server_id: active.nodeId } });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.errors[0]).toContain('step it down first');
      expect(r.body.errors[0]).toContain('coffer operator step-down');
    }
    const cli = await runCoffer(['operator', 'raft', 'remove-peer', active.nodeId], { addr: active.addr, home, token: root });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('step it down first');
    // Nothing changed: same peers, same active, writes still go through.
    expect((await peers(active.addr, root)).map((p) => p.node_id).sort()).toEqual(before);
    expect(await activeNode()).toBe(active);
    const w = await api(standby.addr, 'PUT', 'sys/policy/after-refused-remove', { token: root, body: { policy: 'path "x/*" { capabilities = ["read"] }' } });
    expect(w.status).toBe(204);
  }, 300_000);

  it('remove-peer of the node that is etcd\'s raft leader, not the active, removes it (it answered "internal error")', async () => {
    // Make etcd's leader a standby: step the active down while it is the same node.
    let leader = await waitFor("etcd's raft leader", etcdLeader);
    let active = await activeNode();
    if (active === leader) {
      expect((await api(active.addr, 'PUT', 'sys/step-down', { token: root })).status).toBe(204);
      active = await activeNode(leader);
      leader = await waitFor("etcd's raft leader", etcdLeader);
    }
    expect(leader).not.toBe(active);
    const r = await api(active.addr, 'PUT', 'sys/storage/raft/remove-peer', { token: root, body: { server_id: leader.nodeId } });
    expect(r.status, JSON.stringify(r.body)).toBe(204);
    const left = await waitFor('two peers', async () => {
      const p = await peers(active.addr, root).catch(() => null);
      return p?.length === 2 ? p : null;
    });
    expect(left.map((p) => p.node_id)).not.toContain(leader.nodeId);
    const w = await api(active.addr, 'PUT', 'sys/policy/after-leader-removed', { token: root, body: { policy: 'path "x/*" { capabilities = ["read"] }' } });
    expect(w.status).toBe(204);
  }, 300_000);
});

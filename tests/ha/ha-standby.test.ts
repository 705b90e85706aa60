import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { api, startDevServer } from '../support/cluster';
import { runCoffer } from '../support/cli';
import { SqliteCommittedReader } from '../../server/storage/committed-reader';
import { TREE_OF } from '../../server/storage/key-class';
import { health, startHaCluster, until, type HaCluster, type HaNode } from './ha-cluster';

/** A node's committed SQLite state, read from its file: log position, merkle roots (as merkle-index.ts computes them) and every shipped entry. */
function committedState(n: HaNode) {
  const r = SqliteCommittedReader.open(join(n.dataDir, 'coffer.db')); // server/node.ts STORAGE_FILE
  try {
    const root = (tree: number) => r.pages(tree).hashes.reduce((h, p) => h.update(p), createHash('sha1')).digest('hex');
    const { position, entries } = r.everything();
    const digest = createHash('sha256');
    for (const e of [...entries].sort((a, b) => a.key.localeCompare(b.key))) digest.update(e.key).update('\0').update(e.value);
    return { position, replicated: root(TREE_OF.replicated), local: root(TREE_OF.local), entries: digest.digest('hex') };
  } finally {
    r.close();
  }
}

async function postSnapshot(addr: string, token: string, file: Buffer, force = false) {
  const r = await fetch(`${addr}/v1/sys/storage/raft/snapshot${force ? '-force' : ''}`, { method: 'POST', headers: { 'X-Vault-Token': token }, body: new Uint8Array(file) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

// Three real Coffer processes on storage "etcd" over a real 3-member etcd:
// one active, two performance standbys. A standby serves reads from its own
// copy and forwards writes to the active, answering only once it applied
// them; sys/health, sys/leader, sys/ha-status and the CLI say who is who.

let c: HaCluster;
let active: HaNode;
let standbys: HaNode[];

beforeAll(async () => {
  c = await startHaCluster(3);
  active = await c.waitActive();
  standbys = c.nodes.filter((n) => n !== active);
  // Both standbys know the active (sys/leader), so forwarding has a target.
  for (const s of standbys) await until(`${s.name} to know the active`, async () => (await api(s.addr, 'GET', 'sys/leader')).body?.leader_address === active.addr);
  const mount = await api(active.addr, 'POST', 'sys/mounts/secret', { token: c.rootToken, body: { type: 'kv', options: { version: '2' } } });
  expect(mount.status).toBe(204);
}, 240_000);

afterAll(async () => {
  await c?.stop();
}, 120_000);

describe('HA standbys', () => {
  it('a standby forwards a write and then reads it locally', async () => {
    const s = standbys[0];
    for (let i = 0; i < 20; i++) {
      const w = await api(s.addr, 'POST', `secret/data/ryw-${i}`, { token: c.rootToken, body: { data: { n: i } } });
      expect(w.status, JSON.stringify(w.body)).toBe(200);
      expect(w.body.warnings ?? []).toEqual([]);
      // Read-your-writes: the standby answered only after applying the write, so its own read has it.
      const r = await api(s.addr, 'GET', `secret/data/ryw-${i}`, { token: c.rootToken });
      expect(r.status).toBe(200);
      expect(r.body.data.data).toEqual({ n: i });
    }
    // The write went to the active (one copy of the data, on every node).
    const onActive = await api(active.addr, 'GET', 'secret/data/ryw-19', { token: c.rootToken });
    expect(onActive.body.data.data).toEqual({ n: 19 });
    const other = standbys[1];
    await until('the other standby to apply the write', async () => (await api(other.addr, 'GET', 'secret/data/ryw-19', { token: c.rootToken })).status === 200);
  }, 240_000);

  it('a token created through a standby works on every node, and a forwarded error comes back as the active said it', async () => {
    const t = await api(standbys[1].addr, 'POST', 'auth/token/create', { token: c.rootToken, body: { policies: ['default'], ttl: '1h' } });
    expect(t.status).toBe(200);
    const token = t.body.auth.client_token;
    for (const n of c.nodes) expect((await api(n.addr, 'GET', 'auth/token/lookup-self', { token })).status).toBe(200);
    const denied = await api(standbys[1].addr, 'POST', 'secret/data/nope', { token, body: { data: { x: 1 } } });
    expect(denied.status).toBe(403);
    expect(denied.body.errors).toEqual(['permission denied']);
  }, 240_000);

  it('a wrapped read through a standby (wrapping stores a token) runs on the active, and the wrapping token unwraps on every node', async () => {
    const s = standbys[0];
    await api(active.addr, 'POST', 'secret/data/wrapped', { token: c.rootToken, body: { data: { v: 'w' } } });
    const r = await api(s.addr, 'GET', 'secret/data/wrapped', { token: c.rootToken, headers: { 'X-Vault-Wrap-TTL': '5m' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const wrapToken = r.body.wrap_info.token;
    expect(r.body.data).toBeNull();
    // Read-your-writes: the standby that answered can look the wrapping token up at once.
    expect((await api(s.addr, 'POST', 'sys/wrapping/lookup', { token: c.rootToken, body: { token: wrapToken } })).status).toBe(200);
    const u = await api(standbys[1].addr, 'POST', 'sys/wrapping/unwrap', { token: wrapToken });
    expect(u.status).toBe(200);
    expect(u.body.data.data).toEqual({ v: 'w' });
  }, 240_000);

  it('sys/health answers 473 on performance standbys and honours the ok overrides', async () => {
    expect(await health(active.addr)).toBe(200);
    for (const s of standbys) {
      const h = await api(s.addr, 'GET', 'sys/health');
      expect(h.status).toBe(473);
      expect(h.body).toMatchObject({ initialized: true, sealed: false, standby: true, performance_standby: true });
      expect((await api(s.addr, 'GET', 'sys/health?perfstandbyok=true')).status).toBe(200);
      expect((await api(s.addr, 'GET', 'sys/health?perfstandbyok=true&activecode=204')).status).toBe(204);
      expect((await api(s.addr, 'GET', 'sys/health?performancestandbycode=299')).status).toBe(299);
      expect((await api(s.addr, 'GET', 'sys/health?perfstandbycode=298')).status).toBe(298);
      // standbyok does not cover a performance standby (Vault).
      expect((await api(s.addr, 'GET', 'sys/health?standbyok=true')).status).toBe(473);
    }
    const a = await api(active.addr, 'GET', 'sys/health?activecode=202');
    expect(a.status).toBe(202);
    expect(a.body).toMatchObject({ standby: false, performance_standby: false });
    // One cluster, one id, whichever node answers.
    expect(a.body.cluster_id).toMatch(/^[0-9a-f-]{36}$/);
    for (const s of standbys) expect((await api(s.addr, 'GET', 'sys/health')).body.cluster_id).toBe(a.body.cluster_id);
  }, 240_000);

  it('sys/leader and sys/ha-status name the active on every node', async () => {
    for (const n of c.nodes) {
      const l = await api(n.addr, 'GET', 'sys/leader');
      expect(l.status).toBe(200);
      expect(l.body).toMatchObject({ ha_enabled: true, is_self: n === active, leader_address: active.addr, leader_cluster_address: `https://127.0.0.1:${active.port + 1}`, performance_standby: n !== active });
      expect(l.body.raft_committed_index).toBeGreaterThan(0);
      expect(l.body.raft_applied_index).toBeGreaterThan(0);
      if (n === active) expect(Date.parse(l.body.active_time)).toBeGreaterThan(Date.parse('2020-01-01'));
    }
    const st = await until('every node in sys/ha-status', async () => {
      const r = await api(standbys[0].addr, 'GET', 'sys/ha-status', { token: c.rootToken });
      return r.body?.Nodes?.length === 3 ? r : null;
    });
    const byName = Object.fromEntries(st.body.Nodes.map((x: any) => [x.hostname, x]));
    for (const n of c.nodes) {
      expect(byName[n.name]).toMatchObject({ api_address: n.addr, cluster_address: `https://127.0.0.1:${n.port + 1}`, active_node: n === active });
      if (n === active) expect(byName[n.name].last_echo).toBeNull();
      else expect(Date.parse(byName[n.name].last_echo)).toBeGreaterThan(0);
    }
    expect((await api(standbys[0].addr, 'GET', 'sys/ha-status')).status).toBe(403);
  }, 240_000);

  it('coffer status and coffer operator members show the HA lines and the members table', async () => {
    const home = mkdtempSync(join(tmpdir(), 'coffer-ha-cli-'));
    const onActive = await runCoffer(['status'], { addr: active.addr, home });
    expect(onActive.code).toBe(0);
    expect(onActive.stdout).toMatch(/HA Enabled\s+true/);
    expect(onActive.stdout).toMatch(/HA Mode\s+active/);
    expect(onActive.stdout).toMatch(/Active Since\s+\d{4}-/);
    expect(onActive.stdout).toMatch(/Raft Committed Index\s+\d+/);
    expect(onActive.stdout).toMatch(/Raft Applied Index\s+\d+/);
    const onStandby = await runCoffer(['status'], { addr: standbys[0].addr, home });
    expect(onStandby.stdout).toMatch(/HA Mode\s+standby/);
    expect(onStandby.stdout).toMatch(new RegExp(`Active Node Address\\s+${active.addr}`));
    expect(onStandby.stdout).toMatch(/Performance Standby Node\s+true/);
    const members = await runCoffer(['operator', 'members'], { addr: standbys[1].addr, home, token: c.rootToken });
    expect(members.code, members.stderr).toBe(0);
    const lines = members.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^Host Name\s+API Address\s+Cluster Address\s+Active Node\s+Version\s+Upgrade Version\s+Redundancy Zone\s+Last Echo$/);
    expect(lines.slice(2).find((l) => l.startsWith(active.name))).toMatch(/\strue\s/);
    expect(lines.length).toBe(5); // header, rule, three nodes
  }, 240_000);
});

describe('snapshots on an HA cluster', () => {
  it('a snapshot restored on a 3-node cluster is what every node serves, with equal merkle roots', async () => {
    const [s0, s1] = standbys;
    const kv = (n: HaNode, key: string) => api(n.addr, 'GET', `secret/data/${key}`, { token: c.rootToken });
    expect((await api(active.addr, 'POST', 'secret/data/snap-kept', { token: c.rootToken, body: { data: { v: 'before' } } })).status).toBe(200);
    // Saved on a standby (a read: served from its own copy).
    await until(`${s0.name} to have the write`, async () => (await kv(s0, 'snap-kept')).status === 200);
    const saved = await fetch(`${s0.addr}/v1/sys/storage/raft/snapshot`, { headers: { 'X-Vault-Token': c.rootToken } });
    expect(saved.status).toBe(200);
    const file = Buffer.from(await saved.arrayBuffer());

    expect((await api(s1.addr, 'POST', 'secret/data/snap-later', { token: c.rootToken, body: { data: { v: 'after' } } })).status).toBe(200);
    expect((await api(s1.addr, 'POST', 'secret/data/snap-kept', { token: c.rootToken, body: { data: { v: 'changed' } } })).status).toBe(200);

    // Restored through the other standby: it forwards the file to the active, whose restore goes through the HA log.
    const restored = await postSnapshot(s1.addr, c.rootToken, file);
    expect(restored.status, JSON.stringify(restored.body)).toBe(204);
    for (const n of c.nodes) {
      await until(`${n.name} to serve the restored data`, async () => (await kv(n, 'snap-later')).status === 404 && (await kv(n, 'snap-kept')).body?.data?.data?.v === 'before');
    }
    // Not only what each node serves: every node's SQLite holds the same entries, log position and merkle roots.
    const states = await until('every node to hold the same committed state', async () => {
      const all = c.nodes.map(committedState);
      return all.every((x) => JSON.stringify(x) === JSON.stringify(all[0])) ? all : null;
    });
    expect(states[0].position.index).toBeGreaterThan(0);
    // A write after the restore still reaches every node.
    expect((await api(s0.addr, 'POST', 'secret/data/snap-after', { token: c.rootToken, body: { data: { v: 1 } } })).status).toBe(200);
    for (const n of c.nodes) await until(`${n.name} to apply a write after the restore`, async () => (await kv(n, 'snap-after')).status === 200);
  }, 240_000);

  // Another cluster's snapshot, its keys and root token.
  let other: { file: Buffer; unsealKeys: string[]; rootToken: string };

  it("another cluster's snapshot is refused on an HA cluster without -force, on the active and through a standby, and changes nothing", async () => {
    const dev = await startDevServer({ healthTimeoutMs: 120_000 });
    try {
      expect((await api(dev.addr, 'POST', 'secret/data/from-other', { token: dev.rootToken, body: { data: { v: 'other' } } })).status).toBe(200);
      const r = await fetch(`${dev.addr}/v1/sys/storage/raft/snapshot`, { headers: { 'X-Vault-Token': dev.rootToken } });
      other = { file: Buffer.from(await r.arrayBuffer()), unsealKeys: dev.unsealKeys, rootToken: dev.rootToken };
    } finally {
      await dev.stop();
    }
    const file = other.file;
    const before = committedState(active);
    for (const n of [active, standbys[0]]) {
      const r = await postSnapshot(n.addr, c.rootToken, file);
      expect(r.status).toBe(400);
      expect(r.body.errors[0]).toMatch(/snapshot-force/);
    }
    expect(committedState(active).position).toEqual(before.position);
    for (const n of c.nodes) expect((await api(n.addr, 'GET', 'sys/health')).body.sealed).toBe(false);
  }, 240_000);

  // Last on this cluster: it ends with the other cluster's keys and data.
  it('a snapshot-force restore through a standby seals every node, which then open with the other cluster\'s keys and serve its data', async () => {
    const forced = await postSnapshot(standbys[0].addr, c.rootToken, other.file, true);
    expect(forced.status, JSON.stringify(forced.body)).toBe(200);
    expect(forced.body.warnings[0]).toMatch(/now sealed/);
    // The active sealed after the cluster's log had the restore; each standby sealed as it applied it.
    for (const n of c.nodes) await until(`${n.name} to seal`, async () => (await api(n.addr, 'GET', 'sys/seal-status')).body?.sealed === true);
    const wrong = await api(standbys[1].addr, 'PUT', 'sys/unseal', { body: { key: c.keys[0] } });
    expect(wrong.status).toBe(400);
    for (const n of c.nodes) {
      const r = await api(n.addr, 'PUT', 'sys/unseal', { body: { key: other.unsealKeys[0] } });
      expect(r.body.sealed, `${n.name}: ${JSON.stringify(r.body)}`).toBe(false);
    }
    await c.waitActive();
    for (const n of c.nodes) {
      await until(`${n.name} to serve the other cluster's data`, async () => (await api(n.addr, 'GET', 'secret/data/from-other', { token: other.rootToken })).body?.data?.data?.v === 'other');
      expect((await api(n.addr, 'GET', 'secret/data/snap-kept', { token: other.rootToken })).status).toBe(404);
    }
    await until('every node to hold the same committed state', async () => {
      const all = c.nodes.map(committedState);
      return all.every((x) => JSON.stringify(x) === JSON.stringify(all[0]));
    });
  }, 240_000);
});

describe('plain standbys (disable_performance_standby)', () => {
  let p: HaCluster;
  beforeAll(async () => {
    p = await startHaCluster(2, { extraConfig: 'disable_performance_standby = true' });
  }, 240_000);
  afterAll(async () => {
    await p?.stop();
  }, 120_000);

  it('sys/health answers 429 on a standby and honours standbyok and standbycode', async () => {
    const a = await p.waitActive();
    const s = p.nodes.find((n) => n !== a)!;
    await until('the standby to settle', async () => (await health(s.addr)) === 429);
    const h = await api(s.addr, 'GET', 'sys/health');
    expect(h.body).toMatchObject({ standby: true, performance_standby: false });
    expect((await api(s.addr, 'GET', 'sys/health?standbyok=true')).status).toBe(200);
    expect((await api(s.addr, 'GET', 'sys/health?standbycode=288')).status).toBe(288);
    // A plain standby serves nothing itself: even a read goes to the active.
    const w = await api(s.addr, 'POST', 'sys/policies/acl/plain', { token: p.rootToken, body: { policy: 'path "x" { capabilities = ["read"] }' } });
    expect(w.status).toBe(204);
    const r = await api(s.addr, 'GET', 'sys/policies/acl/plain', { token: p.rootToken });
    expect(r.status).toBe(200);
    const l = await api(s.addr, 'LIST', 'sys/policies/acl', { token: p.rootToken });
    expect(l.status).toBe(200);
    expect(l.body.data.keys).toContain('plain');
    expect((await api(s.addr, 'GET', 'sys/leader')).body).toMatchObject({ is_self: false, performance_standby: false });
  }, 240_000);
});

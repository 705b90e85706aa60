import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCoffer } from '../support/cli';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { converged, pair } from '../support/replication';

// Issue 9 item 2 (snapshots work on single-node SQLite too): a Coffer snapshot
// is a consistent, still-sealed dump of every replicated and local entry with
// its log position; restoring it puts the cluster back where it was, in one
// transaction that replication secondaries follow. A snapshot taken under
// other keys needs snapshot-force and leaves the node sealed until it is
// unsealed with those keys.
let a: DevServer; // the cluster under test (performance primary)
let b: DevServer; // another cluster: its snapshot has other keys
let perf: DevServer; // a's performance secondary

async function snapshotOf(s: DevServer, token: string): Promise<Buffer> {
  const r = await fetch(`${s.addr}/v1/sys/storage/raft/snapshot`, { headers: { 'X-Vault-Token': token } });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('application/gzip');
  return Buffer.from(await r.arrayBuffer());
}

async function restore(s: DevServer, token: string, file: Buffer, force = false) {
  const r = await fetch(`${s.addr}/v1/sys/storage/raft/snapshot${force ? '-force' : ''}`, { method: 'POST', headers: { 'X-Vault-Token': token }, body: new Uint8Array(file) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

const kvGet = async (s: DevServer, token: string, key: string) => (await api(s.addr, 'GET', `secret/data/${key}`, { token })).body?.data?.data ?? null;
const kvPut = async (s: DevServer, token: string, key: string, v: unknown) => expect((await api(s.addr, 'POST', `secret/data/${key}`, { token, body: { data: { v } } })).status).toBe(200);

beforeAll(async () => {
  [a, b, perf] = await Promise.all([startDevServer({ healthTimeoutMs: 120_000 }), startDevServer({ healthTimeoutMs: 120_000 }), startDevServer({ healthTimeoutMs: 120_000 })]);
  await pair({ addr: a.addr, token: a.rootToken }, { addr: perf.addr, token: perf.rootToken }, 'performance', 'perf');
}, 240_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), perf?.stop()]);
});

describe('storage snapshots (sys/storage/raft/snapshot)', () => {
  let saved: Buffer;

  it('save, change things, restore: the cluster is back where it was, and its performance secondary follows', async () => {
    await kvPut(a, a.rootToken, 'kept', 'before');
    await kvPut(a, a.rootToken, 'changed', 'before');
    saved = await snapshotOf(a, a.rootToken);
    // No secret value in the file: entries stay sealed by the barrier.
    expect(saved.includes(Buffer.from('before'))).toBe(false);

    await kvPut(a, a.rootToken, 'changed', 'after');
    await kvPut(a, a.rootToken, 'added', 'after');
    expect((await api(a.addr, 'DELETE', 'secret/metadata/kept', { token: a.rootToken })).status).toBe(204);
    expect((await api(a.addr, 'PUT', 'sys/policies/acl/later', { token: a.rootToken, body: { policy: 'path "x" { capabilities = ["read"] }' } })).status).toBe(204);

    const r = await restore(a, a.rootToken, saved);
    expect(r.status, JSON.stringify(r.body)).toBe(204);
    expect(await kvGet(a, a.rootToken, 'kept')).toEqual({ v: 'before' });
    expect(await kvGet(a, a.rootToken, 'changed')).toEqual({ v: 'before' });
    expect(await kvGet(a, a.rootToken, 'added')).toBeNull();
    expect((await api(a.addr, 'GET', 'sys/policies/acl/later', { token: a.rootToken })).status).toBe(404);
    // Still the performance primary, and the secondary holds the restored data.
    await converged(a.addr, perf.addr, 'performance', 60_000);
    expect(await kvGet(perf, a.rootToken, 'changed')).toEqual({ v: 'before' });
    expect(await kvGet(perf, a.rootToken, 'added')).toBeNull();
  }, 120_000);

  it('the CLI saves a snapshot to a file (0600) and restores it: coffer operator raft snapshot save|restore', async () => {
    const home = mkdtempSync(join(tmpdir(), 'coffer-snap-'));
    const file = join(home, 'coffer.snap');
    const save = await runCoffer(['operator', 'raft', 'snapshot', 'save', file], { addr: a.addr, home, token: a.rootToken });
    expect(save.code, save.stderr).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip
    await kvPut(a, a.rootToken, 'cli-later', 'x');
    const restored = await runCoffer(['operator', 'raft', 'snapshot', 'restore', file], { addr: a.addr, home, token: a.rootToken });
    expect(restored.code, restored.stderr).toBe(0);
    expect(await kvGet(a, a.rootToken, 'cli-later')).toBeNull();
    expect(await kvGet(a, a.rootToken, 'kept')).toEqual({ v: 'before' });
    const missing = await runCoffer(['operator', 'raft', 'snapshot', 'restore', join(home, 'nope.snap')], { addr: a.addr, home, token: a.rootToken });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Error opening snapshot file/);
  }, 60_000);

  it('a restore on a secondary is refused: restore the primary, its secondaries follow', async () => {
    const r = await restore(perf, a.rootToken, saved);
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatch(/cannot restore a snapshot on a performance secondary/);
  });

  it('a damaged snapshot is refused and changes nothing', async () => {
    const bad = Buffer.from(saved);
    bad[bad.length - 12] ^= 0xff;
    for (const file of [bad, saved.subarray(0, saved.length / 2), Buffer.from('{"not":"a snapshot"}')]) {
      const r = await restore(a, a.rootToken, file);
      expect(r.status).toBe(400);
      expect(r.body.errors[0]).toMatch(/invalid snapshot/);
    }
    expect(await kvGet(a, a.rootToken, 'kept')).toEqual({ v: 'before' });
  });

  it('saving and restoring need sudo on the path', async () => {
    await api(a.addr, 'PUT', 'sys/policies/acl/snap-no-sudo', { token: a.rootToken, body: { policy: 'path "sys/storage/raft/snapshot" { capabilities = ["read", "update"] }' } });
    const t = (await api(a.addr, 'POST', 'auth/token/create', { token: a.rootToken, body: { policies: ['snap-no-sudo'] } })).body.auth.client_token;
    expect((await fetch(`${a.addr}/v1/sys/storage/raft/snapshot`, { headers: { 'X-Vault-Token': t } })).status).toBe(403);
    expect((await restore(a, t, saved)).status).toBe(403);
  });

  it("another cluster's snapshot needs snapshot-force; then the node is sealed and opens with that cluster's keys and data", async () => {
    await kvPut(b, b.rootToken, 'from-b', 'b');
    const other = await snapshotOf(b, b.rootToken);
    const refused = await restore(a, a.rootToken, other);
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toMatch(/snapshot-force/);
    expect(await kvGet(a, a.rootToken, 'kept')).toEqual({ v: 'before' }); // nothing changed

    // Stop replicating first: a forced restore replaces the keys the secondary shares.
    const whileReplicating = await restore(a, a.rootToken, other, true);
    expect(whileReplicating.status).toBe(400);
    expect(whileReplicating.body.errors[0]).toMatch(/disable performance replication/);
    expect((await api(a.addr, 'POST', 'sys/replication/performance/primary/disable', { token: a.rootToken })).status).toBe(200);
    const forced = await restore(a, a.rootToken, other, true);
    expect(forced.status, JSON.stringify(forced.body)).toBe(200);
    expect(forced.body.warnings[0]).toMatch(/now sealed/);
    expect((await api(a.addr, 'GET', 'sys/seal-status')).body.sealed).toBe(true);
    // a's own key no longer opens it.
    const wrong = await api(a.addr, 'PUT', 'sys/unseal', { body: { key: a.unsealKeys[0] } });
    expect(wrong.status).toBe(400);
    expect((await api(a.addr, 'GET', 'sys/seal-status')).body.sealed).toBe(true);
    const opened = await api(a.addr, 'PUT', 'sys/unseal', { body: { key: b.unsealKeys[0] } });
    expect(opened.body.sealed, JSON.stringify(opened.body)).toBe(false);
    expect(await kvGet(a, b.rootToken, 'from-b')).toEqual({ v: 'b' });
    expect(await kvGet(a, b.rootToken, 'kept')).toBeNull();
  }, 120_000);
});

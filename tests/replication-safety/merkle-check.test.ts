import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf, LEAVES_PER_PAGE } from '../../server/storage/merkle-index';
import { api, startConfiguredServer, startDevServer, type ConfiguredServer, type DevServer } from '../support/cluster';
import { converged, pair, replStatus, waitFor } from '../support/replication';

// Issue 8 item 8: merkle truth. `corrupted_merkle_tree` was the constant false
// and nothing compared the tree with the data it summarises. Now
// sys/replication/merkle-check (and dr/secondary/merkle-check, with a DR
// operation token) recomputes the trees from the stored entries and reports
// in Vault's shape; status computes corrupted_merkle_tree and
// last_corruption_check_epoch from it; reindex rebuilds in the background with
// Vault's progress fields and clears the finding.
const NEVER = '-62135596800';
let p: ConfiguredServer;
let d: DevServer;
let root = '';
let unsealKey = '';
let opToken = '';

const check = (s: { addr: string }, token = root) => api(s.addr, 'POST', 'sys/replication/merkle-check', { token });

beforeAll(async () => {
  [p, d] = await Promise.all([startConfiguredServer({ name: 'merkle' }), startDevServer()]);
  const init = await api(p.addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  root = init.body.root_token;
  unsealKey = init.body.keys[0];
  await api(p.addr, 'PUT', 'sys/unseal', { body: { key: unsealKey } });
  expect((await api(p.addr, 'POST', 'sys/mounts/kv', { token: root, body: { type: 'kv', options: { version: '1' } } })).status).toBe(204);
  for (let i = 0; i < 20; i++) expect((await api(p.addr, 'POST', `kv/s${i}`, { token: root, body: { v: i } })).status).toBe(204);
  // A batch DR operation token allowed to run merkle-check on a DR secondary (reference §2.4).
  await api(p.addr, 'PUT', 'sys/policies/acl/dr-check', { token: root, body: { policy: 'path "sys/replication/dr/secondary/merkle-check" { capabilities = ["update"] }' } });
  await api(p.addr, 'POST', 'auth/token/roles/dr-check', { token: root, body: { token_type: 'batch', orphan: true, renewable: false, allowed_policies: 'dr-check' } });
  opToken = (await api(p.addr, 'POST', 'auth/token/create/dr-check', { token: root, body: { ttl: '1h', policies: ['dr-check'] } })).body.auth.client_token;
  await pair({ addr: p.addr, token: root }, { addr: d.addr, token: d.rootToken }, 'dr', 'dr-check');
  await converged(p.addr, d.addr, 'dr');
}, 120_000);

afterAll(async () => {
  await Promise.all([p?.stop(), d?.stop()]);
});

describe('merkle truth', () => {
  it('merkle-check on a healthy primary: Vault\'s report, no corruption; status records when it ran', async () => {
    const before = await replStatus(p.addr, 'dr');
    expect(before).toMatchObject({ corrupted_merkle_tree: false, last_corruption_check_epoch: NEVER, reindex_in_progress: false });
    expect((await check(p, '')).status).toBe(403);
    const r = await check(p);
    expect(r.status).toBe(200);
    const report = r.body.data.merkle_corruption_report;
    expect(report.corrupted_root).toBe(false);
    expect(report.corrupted_tree_map['1']).toMatchObject({ tree_type: 'replicated', corrupted_subtree_root: false, corrupted_index_tuples_map: null });
    expect(report.corrupted_tree_map['2']).toMatchObject({ tree_type: 'local', corrupted_subtree_root: false, corrupted_index_tuples_map: null });
    expect(Buffer.from(report.corrupted_tree_map['1'].root_hash, 'base64')).toHaveLength(20);
    expect(Number.isNaN(Date.parse(report.last_corruption_check_epoch))).toBe(false);
    const after = await replStatus(p.addr, 'dr');
    expect(after.corrupted_merkle_tree).toBe(false);
    expect(Number(after.last_corruption_check_epoch)).toBeGreaterThan(Date.now() / 1000 - 600);
  });

  it('on a DR secondary the check takes a DR operation token (dr/secondary/merkle-check); the general path is refused there', async () => {
    const ok = await api(d.addr, 'POST', 'sys/replication/dr/secondary/merkle-check', { body: { dr_operation_token: opToken } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.data.merkle_corruption_report.corrupted_root).toBe(false);
    expect((await api(d.addr, 'POST', 'sys/replication/dr/secondary/merkle-check', { body: {} })).status).toBe(400);
    expect((await check(d)).status).toBe(400); // a DR secondary serves no client request
    const notSecondary = await api(p.addr, 'POST', 'sys/replication/dr/secondary/merkle-check', { body: { dr_operation_token: opToken } });
    expect(notSecondary.status).toBe(400);
    expect(notSecondary.body.errors[0]).toMatch(/Not a DR secondary/);
  });

  it('finds an entry changed on disk behind the index, names its page and leaf, until a background reindex rebuilds the tree', { timeout: 120_000 }, async () => {
    const rootBefore = (await replStatus(p.addr, 'dr')).merkle_root;
    await p.stop();
    const db = new Database(join(p.dataDir, 'coffer.db'));
    const { key } = db.prepare<[], { key: string }>("SELECT key FROM entries WHERE key LIKE 'logical/%' ORDER BY key LIMIT 1").get()!;
    db.prepare('UPDATE entries SET value = ? WHERE key = ?').run(randomBytes(64), key); // a disk, or a hand with sqlite3
    db.close();
    p = await p.restart();
    expect((await api(p.addr, 'PUT', 'sys/unseal', { body: { key: unsealKey } })).body.sealed).toBe(false);
    // The tree still says what it said: only recomputing it from the data shows the damage.
    expect((await replStatus(p.addr, 'dr')).merkle_root).toBe(rootBefore);
    const report = (await check(p)).body.data.merkle_corruption_report;
    const bucket = bucketOf(key);
    expect(report.corrupted_root).toBe(true);
    expect(report.corrupted_tree_map['1'].corrupted_subtree_root).toBe(true);
    expect(report.corrupted_tree_map['1'].corrupted_index_tuples_map).toEqual({ [String(Math.floor(bucket / LEAVES_PER_PAGE))]: { corrupted: true, subpages: [bucket % LEAVES_PER_PAGE] } });
    expect(report.corrupted_tree_map['2'].corrupted_index_tuples_map).toBeNull();
    expect((await replStatus(p.addr, 'dr')).corrupted_merkle_tree).toBe(true);

    const started = await api(p.addr, 'POST', 'sys/replication/reindex', { token: root });
    expect(started.status).toBe(200);
    expect(started.body.warnings[0]).toMatch(/reindex/i);
    const done = await waitFor('the reindex to finish', async () => {
      const s = await replStatus(p.addr, 'dr');
      if (s.reindex_in_progress) expect(['scanning', 'building', 'wal-replay', 'commit']).toContain(s.reindex_stage);
      return !s.reindex_in_progress && s.last_reindex_epoch !== '0' ? s : null;
    });
    expect(done.corrupted_merkle_tree).toBe(false);
    expect(done.reindex_stage).toBeUndefined();
    expect(Number(done.last_reindex_epoch)).toBeGreaterThan(Date.now() / 1000 - 600);
    expect(done.merkle_root).not.toBe(rootBefore); // the tree now summarises what is stored
    expect((await check(p)).body.data.merkle_corruption_report.corrupted_root).toBe(false);
  });
});

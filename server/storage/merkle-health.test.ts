import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bucketOf, LEAVES_PER_PAGE } from './merkle-index';
import { SqliteBackend } from './sqlite';
import { SCAN_CHUNK } from './tree-builder';

const buf = (s: string) => Buffer.from(s);
const tempPath = () => join(mkdtempSync(join(tmpdir(), 'coffer-health-')), 'h.db');
const tick = () => new Promise<void>((r) => setImmediate(r));

async function filled(n: number, path = tempPath()): Promise<SqliteBackend> {
  const s = new SqliteBackend({ path, groupCommit: true });
  const ops = Array.from({ length: n }, (_, i) => ({ op: 'put' as const, key: `logical/m/${i}`, value: buf(`v${i}`) }));
  for (let i = 0; i < ops.length; i += 500) s.transaction(ops.slice(i, i + 500));
  s.put('sys/token/id/t', buf('local'));
  await s.flushed();
  return s;
}

describe('merkle-check', () => {
  it('reports a clean tree in Vault\'s shape', async () => {
    const s = await filled(50);
    const r = await s.health.check();
    expect(r.corrupted_root).toBe(false);
    expect(Object.keys(r.corrupted_tree_map)).toEqual(['1', '2']);
    expect(r.corrupted_tree_map['1']).toMatchObject({ tree_type: 'replicated', corrupted_subtree_root: false, corrupted_index_tuples_map: null });
    expect(r.corrupted_tree_map['2'].tree_type).toBe('local');
    expect(Buffer.from(r.corrupted_tree_map['1'].root_hash, 'base64').toString('hex')).toBe(s.merkleRoot('replicated'));
    expect(new Date(r.last_corruption_check_epoch).getTime()).toBeGreaterThan(0);
    expect(s.health.corrupted).toBe(false);
    expect(s.health.lastCheckAt).toBeGreaterThan(0);
    s.close();
  });

  it('finds an entry changed behind the index\'s back, names its page and leaf, until a reindex', async () => {
    const path = tempPath();
    const s = await filled(50, path);
    s.close();
    // Damage the file as a disk or a hand with sqlite3 would: the value changes, the tree does not.
    const raw = new SqliteBackend({ path });
    raw.db.prepare('UPDATE entries SET value = ? WHERE key = ?').run(buf('tampered'), 'logical/m/7');
    raw.close();
    const again = new SqliteBackend({ path, groupCommit: true });
    const r = await again.health.check();
    const bucket = bucketOf('logical/m/7');
    const page = String(Math.floor(bucket / LEAVES_PER_PAGE));
    expect(r.corrupted_root).toBe(true);
    expect(r.corrupted_tree_map['1'].corrupted_subtree_root).toBe(true);
    expect(r.corrupted_tree_map['1'].corrupted_index_tuples_map).toEqual({ [page]: { corrupted: true, subpages: [bucket % LEAVES_PER_PAGE] } });
    expect(r.corrupted_tree_map['2'].corrupted_index_tuples_map).toBeNull();
    expect(again.health.corrupted).toBe(true);
    again.close();
    // The finding survives a restart (node state, never shipped)…
    const third = new SqliteBackend({ path, groupCommit: true });
    expect(third.health.corrupted).toBe(true);
    // …and a reindex clears it.
    await third.health.startReindex();
    expect(third.health.corrupted).toBe(false);
    expect((await third.health.check()).corrupted_root).toBe(false);
    third.close();
  });

  it('notices at open when stored page sums disagree with their leaves', async () => {
    const path = tempPath();
    (await filled(10, path)).close();
    const raw = new SqliteBackend({ path });
    raw.db.prepare('UPDATE merkle_page SET hash = ? WHERE tree = 0 AND page = (SELECT MIN(page) FROM merkle_page WHERE tree = 0)').run(Buffer.alloc(32, 1));
    raw.close();
    const s = new SqliteBackend({ path });
    expect(s.health.corrupted).toBe(true);
    s.close();
  });
});

describe('reindex', () => {
  it('runs in the background through Vault\'s stages while writes go on, and ends equal to a full rebuild', async () => {
    const s = await filled(SCAN_CHUNK * 3 + 10);
    const stages = new Set<string>();
    const done = s.health.startReindex()!;
    expect(s.health.startReindex()).toBeNull(); // one at a time
    expect(s.health.reindex).toMatchObject({ inProgress: true, stage: 'scanning' });
    let sawProgress = false;
    let i = 0;
    while (s.health.reindex.inProgress) {
      stages.add(s.health.reindex.stage);
      if (s.health.reindex.stage === 'building') {
        expect(s.health.reindex.buildingTotal).toBe(SCAN_CHUNK * 3 + 11);
        sawProgress ||= s.health.reindex.buildingProgress > 0 && s.health.reindex.buildingProgress < s.health.reindex.buildingTotal;
        // Writers are not blocked: overwrite, delete and create while the snapshot is read.
        s.put(`logical/m/${i}`, buf(`changed ${i}`));
        s.delete(`logical/m/${SCAN_CHUNK * 3 - i}`);
        s.put(`logical/new/${i++}`, buf('new'));
      }
      await tick();
    }
    await done;
    expect([...stages]).toEqual(['scanning', 'building']);
    expect(sawProgress).toBe(true);
    expect(i).toBeGreaterThan(0);
    expect(s.health.reindex).toEqual({ inProgress: false, stage: '', buildingProgress: 0, buildingTotal: 0 });
    expect(s.health.lastReindexAt).toBeGreaterThan(0);
    const root = s.merkleRoot('replicated');
    s.reindexMerkle(); // the blocking rebuild agrees: the writes made during the scan were replayed
    expect(s.merkleRoot('replicated')).toBe(root);
    expect((await s.health.check()).corrupted_root).toBe(false);
    s.close();
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteBackend } from './sqlite';

const buf = (s: string) => Buffer.from(s);

describe('SqliteBackend', () => {
  it('commits entry, log record and merkle update in one transaction', () => {
    const s = new SqliteBackend({ path: ':memory:' });
    const emptyRoot = s.merkleRoot('replicated');
    s.put('logical/a/x', buf('one'));
    expect(s.get('logical/a/x')?.toString()).toBe('one');
    expect(s.log.lastIndex).toBe(1);
    const rec = s.log.at(1)!;
    expect(rec).toMatchObject({ key: 'logical/a/x', op: 'put', cls: 'replicated' });
    expect(rec.value?.toString()).toBe('one');
    expect(s.merkleRoot('replicated')).not.toBe(emptyRoot);
    expect(s.merkleRoot('local')).toBe(emptyRoot);
  });

  it('rolls back all three when the transaction fails', () => {
    const s = new SqliteBackend({ path: ':memory:' });
    s.put('a', buf('1'));
    const root = s.merkleRoot('replicated');
    // Second op has a null value, which violates NOT NULL and aborts the batch.
    expect(() => s.transaction([{ op: 'put', key: 'b', value: buf('2') }, { op: 'put', key: 'c', value: null as unknown as Buffer }])).toThrow();
    expect(s.get('b')).toBeNull();
    expect(s.log.lastIndex).toBe(1);
    expect(s.log.at(2)).toBeNull();
    expect(s.merkleRoot('replicated')).toBe(root);
    s.put('b', buf('2'));
    expect(s.log.lastIndex).toBe(2);
  });

  it('merkle root depends only on content, not on write order or history', () => {
    const a = new SqliteBackend({ path: ':memory:' });
    const b = new SqliteBackend({ path: ':memory:' });
    a.put('k1', buf('v1'));
    a.put('k2', buf('v2'));
    a.put('k3', buf('tmp'));
    a.delete('k3');
    b.put('k2', buf('old'));
    b.put('k2', buf('v2'));
    b.put('k1', buf('v1'));
    expect(a.merkleRoot('replicated')).toBe(b.merkleRoot('replicated'));
    b.put('k1', buf('different'));
    expect(a.merkleRoot('replicated')).not.toBe(b.merkleRoot('replicated'));
  });

  it('classifies keys: tokens are local, node state is ignored (no log record)', () => {
    const s = new SqliteBackend({ path: ':memory:' });
    s.put('sys/token/id/abc', buf('t'));
    s.put('core/replication/state', buf('x'));
    expect(s.log.lastIndex).toBe(1);
    expect(s.log.at(1)?.cls).toBe('local');
  });

  it('chains guards so a position identifies its history', () => {
    const s = new SqliteBackend({ path: ':memory:' });
    s.put('a', buf('1'));
    s.put('b', buf('2'));
    const [r1, r2] = s.log.readFrom(1, 10);
    expect(r1.guard).not.toBe(r2.guard);
    expect(r2.guard).toBe(s.log.lastGuard);
  });

  it('lists immediate children with folders', () => {
    const s = new SqliteBackend({ path: ':memory:' });
    for (const k of ['p/a', 'p/b/c', 'p/b/d', 'q/z']) s.put(k, buf('x'));
    expect(s.list('p/').sort()).toEqual(['a', 'b/']);
  });

  it('bounds log retention and keeps the tip across reopen', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-sqlite-'));
    const path = join(dir, 'c.db');
    const s = new SqliteBackend({ path, logRetention: 100 });
    for (let i = 0; i < 1500; i++) s.put(`k${i % 50}`, buf(String(i)));
    expect(s.log.firstIndex()).toBeGreaterThan(1300);
    expect(s.log.lastIndex).toBe(1500);
    expect(s.log.gcStats.deleted).toBeGreaterThan(0);
    const guard = s.log.lastGuard;
    s.close();
    const again = new SqliteBackend({ path, logRetention: 100 });
    expect(again.log.lastIndex).toBe(1500);
    expect(again.log.lastGuard).toBe(guard);
    again.close();
  }, 120_000); // 1,500 fsynced commits: ~40 s on a loaded 2-core box (load 38)

  it('fault switch makes puts fail without changing anything', () => {
    const s = new SqliteBackend({ path: ':memory:' });
    s.faults.failPut = true;
    expect(() => s.put('a', buf('1'))).toThrow(/fault/);
    s.faults.failPut = false;
    expect(s.get('a')).toBeNull();
    expect(s.log.lastIndex).toBe(0);
  });
});

describe('SqliteBackend group commit', () => {
  it('shares one commit between writes of one tick and ships records only after it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'coffer-gc-')), 'g.db');
    const s = new SqliteBackend({ path, groupCommit: true });
    const shipped: number[] = [];
    s.onCommit((records) => shipped.push(...records.map((r) => r.index)));
    s.put('a', buf('1'));
    s.put('b', buf('2'));
    expect(s.get('a')?.toString()).toBe('1'); // readable by this node at once
    expect(shipped).toEqual([]); // but not shipped before it is durable
    const other = new SqliteBackend({ path });
    expect(other.get('a')).toBeNull(); // not committed yet
    await s.flushed();
    expect(shipped).toEqual([1, 2]);
    expect(other.get('b')?.toString()).toBe('2');
    other.close();
    const reopened = new SqliteBackend({ path }); // the tree is loaded from disk at open
    expect(reopened.merkleRoot('replicated')).toBe(s.merkleRoot('replicated'));
    reopened.close();
    s.close();
  });

  it('a failing call inside a batch rolls back only itself', async () => {
    const s = new SqliteBackend({ path: ':memory:', groupCommit: true });
    s.put('a', buf('1'));
    const root = s.merkleRoot('replicated');
    expect(() => s.transaction([{ op: 'put', key: 'b', value: buf('2') }, { op: 'put', key: 'c', value: null as unknown as Buffer }])).toThrow();
    expect(s.merkleRoot('replicated')).toBe(root);
    s.put('d', buf('4'));
    await s.flushed();
    expect(s.get('a')?.toString()).toBe('1');
    expect(s.get('b')).toBeNull();
    expect(s.log.readFrom(1, 10).map((r) => r.key)).toEqual(['a', 'd']);
  });

  it('persists the in-memory merkle tree with the data', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'coffer-gc-')), 'm.db');
    const s = new SqliteBackend({ path, groupCommit: true });
    for (let i = 0; i < 200; i++) s.put(`k${i}`, buf(String(i)));
    s.delete('k7');
    await s.flushed();
    const root = s.merkleRoot('replicated');
    s.close();
    const again = new SqliteBackend({ path });
    expect(again.merkleRoot('replicated')).toBe(root);
    again.close();
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteBackend } from './sqlite';

const buf = (s: string) => Buffer.from(s);
const tempStore = (groupCommit: boolean) => new SqliteBackend({ path: join(mkdtempSync(join(tmpdir(), 'coffer-reader-')), 'r.db'), groupCommit });
const hex = (bs: Buffer[]) => bs.map((b) => b.toString('hex'));

describe('committed reader', () => {
  it('sees nothing of an open group commit: no record, no entry, no merkle change', async () => {
    const s = tempStore(true);
    s.put('logical/a', buf('1'));
    await s.flushed();
    const pages = hex(s.reader.pages(0).hashes);
    const tip = s.reader.tip();
    s.put('logical/b', buf('2')); // in the open batch
    expect(s.get('logical/b')?.toString()).toBe('2'); // the writer sees it…
    expect(s.reader.get('logical/b')).toBeNull(); // …the shipper does not
    expect(s.reader.readFrom(1, 10).map((r) => r.key)).toEqual(['logical/a']);
    expect(s.reader.tip()).toEqual(tip);
    expect(hex(s.reader.pages(0).hashes)).toEqual(pages);
    expect(s.merkle.pageHashes(0).map((b) => b.toString('hex'))).not.toEqual(pages); // the in-memory tree runs ahead
    await s.flushed();
    expect(s.reader.get('logical/b')?.toString()).toBe('2');
    expect(hex(s.reader.pages(0).hashes)).toEqual(s.merkle.pageHashes(0).map((b) => b.toString('hex')));
    s.close();
  });

  it('a failed COMMIT (failCommit) leaves the committed view exactly as before, and storage usable', async () => {
    for (const groupCommit of [true, false]) {
      const s = tempStore(groupCommit);
      s.put('logical/a', buf('1'));
      await s.flushed();
      const before = { pages: hex(s.reader.pages(0).hashes), tip: s.reader.tip(), leaves: s.reader.leaves(0, [0, 1, 2]) };
      const changed: (string[] | null)[] = [];
      s.changes.subscribe('', (k) => changed.push(k));
      s.faults.failCommit = true;
      if (groupCommit) {
        s.put('logical/b', buf('2'));
        s.put('logical/a', buf('overwritten'));
        await expect(s.flushed()).rejects.toThrow(/commit failed/);
      } else {
        expect(() => s.put('logical/b', buf('2'))).toThrow(/storage transaction failed/);
      }
      s.faults.failCommit = false;
      expect(changed.at(-1)).toBeNull(); // caches hear "anything may have changed"
      expect(s.reader.tip()).toEqual(before.tip);
      expect(hex(s.reader.pages(0).hashes)).toEqual(before.pages);
      expect(s.reader.leaves(0, [0, 1, 2])).toEqual(before.leaves);
      expect(s.reader.get('logical/b')).toBeNull();
      expect(s.get('logical/b')).toBeNull(); // the writer rolled back too
      expect(s.get('logical/a')?.toString()).toBe('1');
      expect(s.log.lastIndex).toBe(1);
      s.put('logical/c', buf('3'));
      await s.flushed();
      expect(s.reader.readFrom(1, 10).map((r) => `${r.index}:${r.key}`)).toEqual(['1:logical/a', '2:logical/c']);
      s.close();
    }
  });

  it('reads log records by bytes like the writer, always at least one', async () => {
    const s = tempStore(false);
    for (let i = 0; i < 5; i++) s.put(`k${i}`, Buffer.alloc(100));
    expect(s.reader.readFrom(1, 10, 250).map((r) => r.index)).toEqual([1, 2]);
    expect(s.reader.readFrom(1, 10, 1).map((r) => r.index)).toEqual([1]);
    expect(s.reader.firstIndex()).toBe(1);
    expect(s.reader.at(3)?.key).toBe('k2');
    expect(s.reader.pages(0).position).toEqual({ index: 5, guard: s.log.lastGuard });
    s.close();
  });
});

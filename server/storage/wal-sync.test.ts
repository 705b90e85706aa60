import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteBackend } from './sqlite';

// Group commit on disk fsyncs the WAL off the event loop (wal-sync.ts): a
// commit must not be announced — committed index, commit listeners (the log
// shipper), flushed() waiters — before that fsync has completed.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function store(): SqliteBackend {
  const dir = mkdtempSync(join(tmpdir(), 'wal-sync-'));
  dirs.push(dir);
  return new SqliteBackend({ path: join(dir, 'coffer.db'), groupCommit: true });
}

describe('WAL fsync off the event loop', () => {
  it('a COMMIT is announced (committed index, listeners, waiters) only once the fsync that follows it completed', async () => {
    const s = store();
    const heard: number[] = [];
    s.onCommit((records) => heard.push(...records.map((r) => r.index)));
    s.put('logical/m1/a', Buffer.from('1'));
    const durable = s.flushed();
    s.commitBatch(); // COMMIT has run; the fsync is on the thread pool
    expect(s.committedIndex).toBe(0);
    expect(heard).toEqual([]);
    await durable;
    expect(s.committedIndex).toBe(1);
    expect(heard).toEqual([1]);
    s.close();
  });

  it('commits made while an fsync runs wait for the next one; flushed() covers every write made before it was called', async () => {
    const s = store();
    s.put('logical/m1/a', Buffer.from('1'));
    s.commitBatch();
    s.put('logical/m1/b', Buffer.from('2'));
    s.commitBatch();
    s.put('logical/m1/c', Buffer.from('3'));
    await s.flushed();
    expect(s.committedIndex).toBe(3);
    expect(s.reader.get('logical/m1/c')?.toString()).toBe('3');
    s.close();
  });

  it('close() makes pending commits durable and announces them at once', () => {
    const s = store();
    const heard: number[] = [];
    s.onCommit((records) => heard.push(...records.map((r) => r.index)));
    s.put('logical/m1/a', Buffer.from('1'));
    s.close();
    expect(heard).toEqual([1]);
  });
});

import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secureDataDir } from './file-modes';
import { SqliteBackend } from './sqlite';

// Tests run in forked processes (vitest pool: forks), so the umask can be set here.
const modeOf = (p: string) => statSync(p).mode & 0o777;

describe('storage file modes under umask 000', () => {
  let oldUmask = 0;
  let dir = '';
  beforeEach(() => {
    oldUmask = process.umask(0);
    dir = mkdtempSync(join(tmpdir(), 'coffer-modes-'));
  });
  afterEach(() => {
    process.umask(oldUmask);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the data dir 0700 and the database, -wal and -shm 0600', () => {
    const data = join(dir, 'data', 'nested');
    expect(secureDataDir(data)).toBeNull();
    expect(modeOf(data)).toBe(0o700);
    const s = new SqliteBackend({ path: join(data, 'coffer.db') });
    s.put('logical/x', Buffer.from('y'));
    const files = readdirSync(data);
    expect(files).toEqual(expect.arrayContaining(['coffer.db', 'coffer.db-wal', 'coffer.db-shm']));
    for (const f of files) expect(modeOf(join(data, f)), f).toBe(0o600);
    s.close();
  });

  it('tightens an existing world-readable dir and database files, reporting the old dir mode', () => {
    chmodSync(dir, 0o777);
    for (const f of ['coffer.db', 'coffer.db-wal', 'coffer.db-shm']) writeFileSync(join(dir, f), '', { mode: 0o666 });
    expect(secureDataDir(dir)).toBe(0o777);
    expect(modeOf(dir)).toBe(0o700);
    const s = new SqliteBackend({ path: join(dir, 'coffer.db') });
    s.put('logical/x', Buffer.from('y'));
    for (const f of readdirSync(dir)) expect(modeOf(join(dir, f)), f).toBe(0o600);
    s.close();
  });
});

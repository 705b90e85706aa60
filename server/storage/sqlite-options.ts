import Database from 'better-sqlite3';
import { chmodDbFiles, prepareDbFile } from './file-modes';

// How a SqliteBackend is opened, and the fault switches tests flip on it.

export interface SqliteOptions {
  /** File path, or ':memory:' for unit tests. */
  path: string;
  logRetention?: number;
  /**
   * Group commit: writes made in one turn of the event loop share one
   * transaction and one fsync, committed on setImmediate. Callers that
   * acknowledge a write must `await flushed()` first. Off: every
   * transaction() commits before it returns.
   */
  groupCommit?: boolean;
  /** Largest entry (key + stored value) a transaction() may write; default 1 MiB (entry-size.ts). */
  maxEntrySize?: number;
}

/** Fault switches on the real backend (like vault's inmem FailPut), for tests. */
export interface StorageFaults {
  /** Refuse every write before it starts. */
  failPut: boolean;
  /** Let the writes run, then fail inside the transaction, after the writes and before COMMIT (group commit: the batch's COMMIT). */
  failCommit: boolean;
}

/** The writer's connection: WAL journal, synchronous=FULL, files 0600 (file-modes.ts). ':memory:' (or '') for unit tests. */
export function openDatabase(path: string): { db: Database.Database; onDisk: boolean } {
  const onDisk = path !== ':memory:' && path !== '';
  if (onDisk) prepareDbFile(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  if (onDisk) chmodDbFiles(path); // -wal and -shm exist now
  return { db, onDisk };
}

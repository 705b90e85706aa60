import Database from 'better-sqlite3';
import type { LogRecord, PhysicalBackend, StorageOp } from './backend';
import { classOf, TREE_OF } from './key-class';
import { MerkleIndex } from './merkle-index';
import { DEFAULT_LOG_RETENTION, WalLog } from './wal-log';

export interface SqliteOptions {
  /** File path, or ':memory:' for unit tests. */
  path: string;
  logRetention?: number;
}

/** Fault switches on the real backend (like vault's inmem FailPut), for tests. */
export interface StorageFaults {
  failPut: boolean;
}

export type CommitListener = (records: LogRecord[]) => void;

// SqliteBackend: one file per node, WAL journal, synchronous=FULL. Every write
// commits the entry, its replication-log record and its merkle update in ONE
// immediate transaction.
export class SqliteBackend implements PhysicalBackend {
  readonly db: Database.Database;
  readonly log: WalLog;
  readonly merkle: MerkleIndex;
  readonly faults: StorageFaults = { failPut: false };
  private readonly listeners = new Set<CommitListener>();
  private readonly sel;
  private readonly upsert;
  private readonly del;
  private readonly range;
  private readonly all;

  constructor(opts: SqliteOptions) {
    this.db = new Database(opts.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec('CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID');
    this.log = new WalLog(this.db, opts.logRetention ?? DEFAULT_LOG_RETENTION);
    this.merkle = new MerkleIndex(this.db);
    this.sel = this.db.prepare<[string], { value: Buffer }>('SELECT value FROM entries WHERE key = ?');
    this.upsert = this.db.prepare('INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)');
    this.del = this.db.prepare('DELETE FROM entries WHERE key = ?');
    this.range = this.db.prepare<[string, string], { key: string }>('SELECT key FROM entries WHERE key >= ? AND key < ? ORDER BY key');
    this.all = this.db.prepare<[], { key: string }>('SELECT key FROM entries ORDER BY key');
  }

  get(key: string): Buffer | null {
    return this.sel.get(key)?.value ?? null;
  }

  put(key: string, value: Buffer): void {
    this.transaction([{ op: 'put', key, value }]);
  }

  delete(key: string): void {
    this.transaction([{ op: 'delete', key }]);
  }

  list(prefix: string): string[] {
    const rows = prefix === '' ? this.all.all() : this.range.all(prefix, upperBound(prefix));
    const out = new Set<string>();
    for (const { key } of rows) {
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      out.add(slash === -1 ? rest : rest.slice(0, slash + 1));
    }
    return [...out];
  }

  /** Every key under prefix (recursive). */
  keysUnder(prefix: string): string[] {
    const rows = prefix === '' ? this.all.all() : this.range.all(prefix, upperBound(prefix));
    return rows.map((r) => r.key);
  }

  transaction(ops: StorageOp[]): LogRecord[] {
    if (this.faults.failPut) throw new Error('storage fault injected: put failed');
    const tip = { index: this.log.lastIndex, guard: this.log.lastGuard };
    let records: LogRecord[] = [];
    try {
      records = this.db.transaction(() => ops.map((o) => this.applyOne(o)).filter((r): r is LogRecord => r !== null)).immediate();
    } catch (err) {
      this.log.rollbackTo(tip.index, tip.guard);
      throw new Error('storage transaction failed', { cause: err });
    }
    if (records.length) {
      this.log.noteCommitted(records.length);
      for (const l of this.listeners) l(records);
    }
    return records;
  }

  private applyOne(o: StorageOp): LogRecord | null {
    const old = this.sel.get(o.key)?.value ?? null;
    if (o.op === 'put') this.upsert.run(o.key, o.value);
    else {
      if (!old) return null; // deleting nothing changes nothing: no record
      this.del.run(o.key);
    }
    const cls = classOf(o.key);
    if (cls === 'ignored') return null;
    const value = o.op === 'put' ? o.value : null;
    this.merkle.update(TREE_OF[cls], o.key, old, value);
    return this.log.append(o.key, o.op, value, cls);
  }

  /** Subscribe to committed log records (the live log shipper uses this). */
  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  merkleRoot(cls: 'replicated' | 'local'): string {
    return this.merkle.root(TREE_OF[cls]);
  }

  close(): void {
    this.db.close();
  }
}

/** Smallest string greater than every string starting with prefix. */
function upperBound(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

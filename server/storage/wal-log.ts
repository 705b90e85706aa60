import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { LogRecord } from './backend';

// The replication log: one record per replicated or local write, appended in
// the write's own transaction (so the log can never disagree with the data).
// Retention is bounded: records older than `retention` are garbage collected.
export const DEFAULT_LOG_RETENTION = 100_000;
const GC_EVERY_APPENDS = 1_000;
export const GENESIS_GUARD = '0'.repeat(32);

export type WalRow = { idx: number; key: string; op: number; value: Buffer | null; cls: number; guard: string };

export function guardOf(prevGuard: string, index: number, key: string, op: 'put' | 'delete', value: Buffer | null): string {
  const h = createHash('sha256').update(prevGuard).update(String(index)).update('\0').update(key).update('\0').update(op);
  if (value) h.update(value);
  return h.digest('hex').slice(0, 32);
}

export interface GcStats {
  total: number;
  deleted: number;
}

export class WalLog {
  private lastIdx: number;
  private lastGuardHex: string;
  private sinceGc = 0;
  readonly gcStats: GcStats = { total: 0, deleted: 0 };
  private readonly insert;
  private readonly selectFrom;
  private readonly sizesFrom;
  private readonly selectAt;
  private readonly selectFirst;
  private readonly deleteBelow;
  private readonly deleteAbove;
  private readonly countAll;

  constructor(
    db: Database.Database,
    private readonly retention = DEFAULT_LOG_RETENTION,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS wal (idx INTEGER PRIMARY KEY, key TEXT NOT NULL, op INTEGER NOT NULL,
             value BLOB, cls INTEGER NOT NULL, guard TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS wal_meta (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;`);
    this.insert = db.prepare('INSERT INTO wal (idx, key, op, value, cls, guard) VALUES (?, ?, ?, ?, ?, ?)');
    this.selectFrom = db.prepare<[number, number], WalRow>('SELECT * FROM wal WHERE idx >= ? ORDER BY idx LIMIT ?');
    // length() of a BLOB reads no content, so sizing a batch costs no value I/O.
    this.sizesFrom = db.prepare<[number, number], { n: number }>('SELECT length(key) + ifnull(length(value), 0) AS n FROM wal WHERE idx >= ? ORDER BY idx LIMIT ?');
    this.selectAt = db.prepare<[number], WalRow>('SELECT * FROM wal WHERE idx = ?');
    this.selectFirst = db.prepare<[], { idx: number }>('SELECT MIN(idx) AS idx FROM wal');
    this.deleteBelow = db.prepare('DELETE FROM wal WHERE idx < ?');
    this.deleteAbove = db.prepare('DELETE FROM wal WHERE idx > ?');
    this.countAll = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM wal');
    const last = db.prepare<[], WalRow>('SELECT * FROM wal ORDER BY idx DESC LIMIT 1').get();
    // The log may be empty after GC of everything or a wipe; wal_meta remembers the tip.
    const meta = db.prepare<[], { v: string }>("SELECT v FROM wal_meta WHERE k = 'tip'").get();
    const tip = meta ? (JSON.parse(meta.v) as { idx: number; guard: string }) : { idx: 0, guard: GENESIS_GUARD };
    this.lastIdx = last ? last.idx : tip.idx;
    this.lastGuardHex = last ? last.guard : tip.guard;
    this.saveTip = db.prepare("INSERT OR REPLACE INTO wal_meta (k, v) VALUES ('tip', ?)");
    this.gcStats.total = this.countAll.get()?.n ?? 0;
  }
  private readonly saveTip;

  get lastIndex(): number {
    return this.lastIdx;
  }
  get lastGuard(): string {
    return this.lastGuardHex;
  }

  /**
   * Append a record; call inside the write's transaction. Returns the record
   * and a commit callback to run once the transaction has committed.
   */
  append(key: string, op: 'put' | 'delete', value: Buffer | null, cls: 'replicated' | 'local'): LogRecord {
    const index = this.lastIdx + 1;
    const guard = guardOf(this.lastGuardHex, index, key, op, value);
    this.insert.run(index, key, op === 'put' ? 1 : 0, value, cls === 'replicated' ? 0 : 1, guard);
    this.lastIdx = index;
    this.lastGuardHex = guard;
    return { index, key, op, value, cls, guard };
  }

  /** Restore the in-memory tip after a rolled-back transaction. */
  rollbackTo(index: number, guard: string): void {
    this.lastIdx = index;
    this.lastGuardHex = guard;
  }

  /**
   * Restart the log at a position taken from elsewhere (an HA repair): every
   * record goes, the tip is stored. Call inside the transaction that installs
   * the state this position describes.
   */
  resetTo(index: number, guard: string): void {
    this.deleteBelow.run(Number.MAX_SAFE_INTEGER);
    this.lastIdx = index;
    this.lastGuardHex = guard;
    this.saveTip.run(JSON.stringify({ idx: index, guard }));
    this.sinceGc = 0;
    this.gcStats.total = 0;
  }

  /**
   * Drop every record after `index` (an HA repair keeping what the cluster
   * acknowledged): the records kept must end at exactly this position, so a
   * record at `index` with another guard (or a log that never got there) throws
   * and nothing changes. Call inside the transaction that installs the state.
   */
  truncateAfter(index: number, guard: string): void {
    const at = index === this.lastIdx ? { guard: this.lastGuardHex } : this.selectAt.get(index);
    if (index > this.lastIdx || (at && at.guard !== guard)) throw new Error(`WalLog cannot be kept through ${index}: local tip ${this.lastIdx}, guard ${at?.guard ?? 'none'} (want ${guard})`);
    this.deleteAbove.run(index);
    this.lastIdx = index;
    this.lastGuardHex = guard;
    this.saveTip.run(JSON.stringify({ idx: index, guard }));
    this.gcStats.total = this.countAll.get()?.n ?? 0;
  }

  /**
   * Records from `index` on (inclusive), at most `limit`, and no more than
   * `maxBytes` of key + value in all — but always at least one record, so a
   * batch is never empty while records remain.
   */
  readFrom(index: number, limit: number, maxBytes = Infinity): LogRecord[] {
    if (maxBytes !== Infinity) limit = countWithinBytes(this.sizesFrom.all(index, limit), maxBytes);
    return this.selectFrom.all(index, limit).map(toRecord);
  }

  at(index: number): LogRecord | null {
    const row = this.selectAt.get(index);
    return row ? toRecord(row) : null;
  }

  firstIndex(): number {
    return this.selectFirst.get()?.idx ?? this.lastIdx + 1;
  }

  /** Count appends; every GC_EVERY_APPENDS run a GC pass. Call after commit. */
  noteCommitted(n: number): void {
    this.gcStats.total += n;
    this.sinceGc += n;
    if (this.sinceGc >= Math.max(1, Math.min(GC_EVERY_APPENDS, this.retention))) this.gc();
  }

  gc(): number {
    this.sinceGc = 0;
    this.saveTip.run(JSON.stringify({ idx: this.lastIdx, guard: this.lastGuardHex }));
    const deleted = this.deleteBelow.run(this.lastIdx - this.retention + 1).changes;
    this.gcStats.deleted = deleted;
    this.gcStats.total = this.countAll.get()?.n ?? 0;
    return deleted;
  }
}

export function toRecord(row: WalRow): LogRecord {
  return {
    index: row.idx,
    key: row.key,
    op: row.op === 1 ? 'put' : 'delete',
    value: row.value,
    cls: row.cls === 0 ? 'replicated' : 'local',
    guard: row.guard,
  };
}

/**
 * How many of these records (sizes in log order) fit in `maxBytes` of key +
 * value — at least one, so a batch is never empty while records remain.
 * Shared by the writer's log and the committed reader.
 */
export function countWithinBytes(sizes: Iterable<{ n: number }>, maxBytes: number): number {
  let total = 0;
  let n = 0;
  for (const { n: size } of sizes) {
    if (n > 0 && total + size > maxBytes) break;
    total += size;
    n += 1;
  }
  return Math.max(1, n);
}

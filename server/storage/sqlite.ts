import Database from 'better-sqlite3';
import type { LogRecord, PhysicalBackend, StorageOp } from './backend';
import { ChangeBus } from './change-bus';
import { SqliteCommittedReader, type CommittedReader } from './committed-reader';
import { checkEntrySizes, DEFAULT_MAX_ENTRY_SIZE } from './entry-size';
import { chmodDbFiles, prepareDbFile } from './file-modes';
import { classOf, TREE_OF } from './key-class';
import { MerkleHealth } from './merkle-health';
import { KeyRange } from './key-range';
import { MerkleIndex, toBig, type MerkleUndo } from './merkle-index';
import { placementOf } from './tree-builder';
import { DEFAULT_LOG_RETENTION, WalLog } from './wal-log';
import { activeJournal, runUndoingOn } from './write-journal';
import { checkRoleWrites, ReadOnlyError, type RoleSource, type WriteMode } from './write-ownership';
import { WriteFence } from './write-fence';
import type { CarriedEntry } from './carried-state';
import { isQuorumCarried, type CarriedTxn, type LogPosition, type QuorumAppender, type QuorumBatch } from './quorum';
import { AckQueue, type AckWaiter } from './quorum-ack';
import { applyCommitted, replaceCarriedState, type HaWriter } from './sqlite-ha';

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

interface Batch {
  records: LogRecord[];
  tip: { index: number; guard: string };
  waiters: AckWaiter[];
  /** Carried transactions, recorded only while a quorum appender is set. */
  txns: CarriedTxn[];
}

/** Fault switches on the real backend (like vault's inmem FailPut), for tests. */
export interface StorageFaults {
  /** Refuse every write before it starts. */
  failPut: boolean;
  /** Let the writes run, then fail inside the transaction, after the writes and before COMMIT (group commit: the batch's COMMIT). */
  failCommit: boolean;
}

/** This node's own record of its merkle health (class `ignored`: never shipped). */
const MERKLE_HEALTH_KEY = 'core/node/merkle-health';

export type CommitListener = (records: LogRecord[]) => void;

// SqliteBackend: one file per node, WAL journal, synchronous=FULL. Every write
// commits the entry, its replication-log record and its merkle update in ONE
// immediate transaction. Writes are checked against the node's write mode
// (write-ownership.ts); what ships is read through `reader`, a second,
// read-only connection that sees only committed state (committed-reader.ts).
export class SqliteBackend implements PhysicalBackend {
  readonly db: Database.Database;
  readonly log: WalLog;
  readonly merkle: MerkleIndex;
  readonly faults: StorageFaults = { failPut: false, failCommit: false };
  /** Every change of a key is published here; caches subscribe by prefix (change-bus.ts). */
  readonly changes = new ChangeBus();
  /** Committed state only: the replication data plane reads log, merkle and entries through this. */
  readonly reader: CommittedReader & { close(): void };
  readonly health: MerkleHealth;
  /** Epoch fencing of a superseded replication leader (write-fence.ts), checked on every client write. */
  readonly fence: WriteFence;
  /** The file, or null when in memory. */
  readonly path: string | null;
  private mode: WriteMode = 'all';
  private haStandby = false;
  private roles: RoleSource | null = null;
  private readonly listeners = new Set<CommitListener>();
  private readonly groupCommit: boolean;
  readonly maxEntrySize: number;
  private batch: Batch | null = null;
  /** Told how long each group commit took and how many records it made durable (telemetry). */
  onFlush: ((ms: number, records: number) => void) | null = null;
  private readonly sel;
  private readonly selHash;
  private readonly inBucket;
  private committedIdx: number;
  private readonly upsert;
  private readonly del;
  private readonly keys: KeyRange;
  /** HA: local commits are acknowledged only once this appender's quorum has them (quorum.ts). */
  private quorum: QuorumAppender | null = null;
  private readonly acks = new AckQueue();

  constructor(opts: SqliteOptions) {
    const onDisk = opts.path !== ':memory:' && opts.path !== '';
    this.path = onDisk ? opts.path : null;
    if (onDisk) prepareDbFile(opts.path);
    this.db = new Database(opts.path);
    this.groupCommit = opts.groupCommit ?? false;
    this.maxEntrySize = opts.maxEntrySize ?? DEFAULT_MAX_ENTRY_SIZE;
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    if (onDisk) chmodDbFiles(opts.path); // -wal and -shm exist now
    // `hash` is the entry's merkle hash, kept so an overwrite need not rehash the old value.
    // tree/bucket place the entry in the merkle index, so a sync can fetch one bucket's keys.
    this.db.exec(`CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL, hash BLOB, tree INTEGER, bucket INTEGER) WITHOUT ROWID;
                  CREATE INDEX IF NOT EXISTS entries_bucket ON entries (tree, bucket);`);
    this.log = new WalLog(this.db, opts.logRetention ?? DEFAULT_LOG_RETENTION);
    this.merkle = new MerkleIndex(this.db);
    this.sel = this.db.prepare<[string], { value: Buffer }>('SELECT value FROM entries WHERE key = ?');
    this.selHash = this.db.prepare<[string], { hash: Buffer | null }>('SELECT hash FROM entries WHERE key = ?');
    this.upsert = this.db.prepare('INSERT OR REPLACE INTO entries (key, value, hash, tree, bucket) VALUES (?, ?, ?, ?, ?)');
    this.inBucket = this.db.prepare<[number, number], { key: string; value: Buffer }>('SELECT key, value FROM entries WHERE tree = ? AND bucket = ?');
    this.committedIdx = this.log.lastIndex;
    this.del = this.db.prepare('DELETE FROM entries WHERE key = ?');
    this.keys = new KeyRange(this.db);
    // An in-memory store has no second connection; its reader shares the writer (unit tests only).
    this.reader = onDisk ? SqliteCommittedReader.open(opts.path) : new SqliteCommittedReader(this.db);
    this.fence = new WriteFence(this.db);
    this.health = new MerkleHealth(this, (v) => this.put(MERKLE_HEALTH_KEY, v), this.get(MERKLE_HEALTH_KEY));
  }

  /** Who may write what on this node; replication sets it from its stored role. */
  get writeMode(): WriteMode {
    return this.mode;
  }

  /** `roles`: where the role is stored, so a transaction that changes it is judged as that change (write-ownership.ts checkRoleWrites). */
  setWriteMode(mode: WriteMode, roles: RoleSource | null = this.roles): void {
    this.mode = mode;
    this.roles = roles;
  }

  /**
   * HA: while this node is not the active (ha/ha-runtime.ts), the cluster's
   * keys are written only by the log applier; a client write of one is refused
   * before anything is written (ReadOnlyError: core forwards the request to
   * the active), so a standby never holds a write the log does not.
   */
  setHaStandby(on: boolean): void {
    this.haStandby = on;
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
    return this.keys.list(prefix);
  }

  /** Highest log index that is durable (the shipper never sends past it); with a quorum appender, durable in the quorum. */
  get committedIndex(): number {
    return this.batch ? Math.min(this.batch.tip.index, this.committedIdx) : this.committedIdx;
  }

  /** The WalLog tip as written locally (committed or not). */
  position(): LogPosition {
    return { index: this.log.lastIndex, guard: this.log.lastGuard };
  }

  /**
   * Route every later commit through `appender` (null: acknowledge locally
   * again). The open group commit is committed first, so no batch is half
   * recorded. Returns once everything queued before has settled.
   */
  setQuorum(appender: QuorumAppender | null): Promise<void> {
    this.commitBatch();
    this.quorum = appender;
    return this.acks.drained();
  }

  /** Why acknowledgements stopped (an append the quorum refused), until a repair. */
  get quorumLost(): Error | null {
    return this.acks.lost;
  }

  /** Entries of one merkle bucket (a sync fetches differing buckets). */
  entriesInBuckets(tree: number, buckets: number[]): { key: string; value: Buffer }[] {
    return buckets.flatMap((b) => this.inBucket.all(tree, b));
  }

  /** Rebuild the merkle index from the entries at once (blocks; sys/replication/reindex runs health.startReindex()). */
  reindexMerkle(): number {
    return this.health.rebuildNow();
  }

  /** Every key under prefix (recursive). */
  keysUnder(prefix: string): string[] {
    return this.keys.keysUnder(prefix);
  }

  /**
   * Every write of this node's own (client-originated) data comes here, so the
   * entry size limit and write ownership are enforced here once: a 413 or a
   * ReadOnlyError before anything is written.
   */
  transaction(ops: StorageOp[]): LogRecord[] {
    checkEntrySizes(ops, this.maxEntrySize);
    checkRoleWrites(this.mode, this.roles, 'client', ops);
    if (this.haStandby) for (const o of ops) if (isQuorumCarried(o.key)) throw new ReadOnlyError(o.key, classOf(o.key), 'all', 'client');
    this.fence.check(ops);
    this.quorum?.admit?.(ops.filter((o) => isQuorumCarried(o.key)));
    const journal = activeJournal();
    if (journal) for (const o of ops) journal.noteBefore(o.key, () => this.get(o.key));
    const records = this.commit(ops);
    journal?.noteAfter(ops);
    return records;
  }

  /**
   * The replication applier's own entry point: what a primary shipped
   * (records, merkle-sync entries and deletes, bootstrap). On a secondary only
   * this may write replicated keys. Not size-checked: the primary already
   * accepted these writes under its own limit, and a secondary configured with
   * a smaller one must still follow (refusing would stall replication for good).
   */
  applyShipped(ops: StorageOp[]): LogRecord[] {
    checkRoleWrites(this.mode, this.roles, 'applier', ops);
    return this.commit(ops);
  }

  /**
   * Run a request's handler; if it hits a write this node does not own, undo
   * the local writes it made first (write-journal.ts) and rethrow, so the
   * request can be forwarded whole. Nothing is journaled where every write is allowed.
   */
  undoOnReadOnly<T>(fn: () => Promise<T>): Promise<T> {
    if (this.mode === 'all' && !this.haStandby) return fn();
    return runUndoingOn(fn, (err) => err instanceof ReadOnlyError, (k) => this.get(k), (ops) => this.commit(ops));
  }

  private commit(ops: StorageOp[]): LogRecord[] {
    this.failPutFault();
    if (this.groupCommit && !this.batch) this.openBatch();
    const tip = this.position();
    let records: LogRecord[] = [];
    const undo: MerkleUndo[] = [];
    try {
      // Inside an open batch better-sqlite3 runs this as a SAVEPOINT, so a
      // failing call rolls back only its own changes.
      records = this.inTxn(tip, undo, () => {
        const out = ops.map((o) => this.applyOne(o, undo)).filter((r): r is LogRecord => r !== null);
        if (!this.batch) this.flushMerkle();
        return out;
      });
    } catch (err) {
      throw new Error('storage transaction failed', { cause: err });
    }
    this.changes.publish(ops.map((o) => o.key));
    const carried = this.quorum ? ops.filter((o) => isQuorumCarried(o.key)) : [];
    const txns = carried.length ? [{ ops: carried, after: this.position() }] : [];
    if (this.batch) this.batch.records.push(...records), this.batch.txns.push(...txns);
    else this.acknowledge({ before: tip, txns }, records, []);
    return records;
  }

  private openBatch(): void {
    this.db.exec('BEGIN IMMEDIATE');
    this.batch = { records: [], tip: { index: this.log.lastIndex, guard: this.log.lastGuard }, waiters: [], txns: [] };
    setImmediate(() => this.commitBatch());
  }

  /** Commit the open batch now (also called on shutdown). */
  commitBatch(): void {
    const b = this.batch;
    if (!b) return;
    this.batch = null;
    const started = performance.now();
    try {
      this.flushMerkle();
      this.db.exec('COMMIT');
      this.onFlush?.(performance.now() - started, b.records.length);
    } catch (cause) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        /* already rolled back */
      }
      this.log.rollbackTo(b.tip.index, b.tip.guard);
      this.merkle.reload(this.db);
      this.changes.publish(null);
      const err = new Error('storage commit failed', { cause });
      for (const w of b.waiters) w.reject(err);
      return;
    }
    this.acknowledge({ before: b.tip, txns: b.txns }, b.records, b.waiters);
  }

  /** Resolves once every write made so far is durable (with a quorum appender: in the quorum; rejects with QuorumLostError when it never will be). */
  flushed(): Promise<void> {
    if (!this.batch) return this.acks.wait() ?? Promise.resolve();
    return new Promise((resolve, reject) => this.batch!.waiters.push({ resolve, reject }));
  }

  /** A local commit is durable here: acknowledge it now, or once the quorum has it and every earlier one. */
  private acknowledge(q: QuorumBatch, records: LogRecord[], waiters: AckWaiter[]): void {
    const index = this.log.lastIndex;
    if (!this.quorum && this.acks.idle) {
      this.committed(records, index);
      for (const w of waiters) w.resolve();
      return;
    }
    const appended = this.quorum && q.txns.length ? this.quorum.append(q) : null;
    this.acks.enqueue(appended, waiters, () => this.committed(records, index));
  }

  /** The HA applier's one entry point (ha-design.md decision 4; sqlite-ha.ts). */
  applyCommitted(txns: StorageOp[][], expect: { before: LogPosition; after: LogPosition }, marker: StorageOp): LogRecord[] {
    return applyCommitted(this.haWriter, txns, expect, marker);
  }

  /** HA repair/bootstrap (decision 5; sqlite-ha.ts): every carried key replaced, the WalLog restarted at `at`. */
  replaceCarried(entries: Iterable<CarriedEntry>, at: LogPosition, marker: StorageOp): void {
    replaceCarriedState(this.haWriter, entries, at, marker);
  }

  /** The internals sqlite-ha.ts may use, and no others. */
  private get haWriter(): HaWriter {
    return {
      db: this.db,
      log: this.log,
      merkle: this.merkle,
      position: () => this.position(),
      settle: (what) => {
        if (this.quorum) throw new Error(`${what} on a node that appends to the quorum log`);
        this.commitBatch();
      },
      applyOne: (o, undo) => this.applyOne(o, undo),
      inTxn: (start, undo, fn) => this.inTxn(start, undo, fn),
      flushMerkle: () => this.flushMerkle(),
      failPutFault: () => this.failPutFault(),
      publish: (keys) => this.changes.publish(keys),
      committed: (records, index) => this.committed(records, index),
      resetAcks: (index) => {
        this.acks.reset();
        this.committedIdx = index;
      },
    };
  }

  private inTxn<T>(start: LogPosition, undo: MerkleUndo[], fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (err) {
      this.merkle.undo(undo);
      this.log.rollbackTo(start.index, start.guard);
      this.changes.publish(null);
      throw err;
    }
  }

  private flushMerkle(): void {
    this.merkle.flush();
    if (this.faults.failCommit) throw new Error('storage fault injected: commit failed');
  }

  private failPutFault(): void {
    if (this.faults.failPut) throw new Error('storage fault injected: put failed');
  }

  private committed(records: LogRecord[], index = this.log.lastIndex): void {
    this.committedIdx = index;
    if (!records.length) return;
    this.log.noteCommitted(records.length);
    for (const l of this.listeners) l(records);
  }

  private applyOne(o: StorageOp, undo: MerkleUndo[]): LogRecord | null {
    const old = this.selHash.get(o.key);
    const cls = classOf(o.key);
    let newHash: Buffer | null = null;
    if (o.op === 'put') {
      if (!Buffer.isBuffer(o.value)) throw new Error(`put of ${o.key} without a value`);
      const p = placementOf(o.key, o.value);
      newHash = p.hash;
      this.upsert.run(o.key, o.value, p.hash, p.tree, p.bucket);
    } else {
      if (!old) return null; // deleting nothing changes nothing: no record
      this.del.run(o.key);
    }
    if (cls === 'ignored') return null;
    const change = this.merkle.update(TREE_OF[cls], o.key, toBig(old?.hash), toBig(newHash));
    if (change) undo.push(change);
    return this.log.append(o.key, o.op, o.op === 'put' ? o.value : null, cls);
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
    this.commitBatch();
    this.reader.close();
    this.db.close();
  }
}

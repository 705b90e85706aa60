import type Database from 'better-sqlite3';
import type { LogRecord, PhysicalBackend, StorageOp } from './backend';
import { ChangeBus } from './change-bus';
import { SqliteCommittedReader, type CommittedReader } from './committed-reader';
import { checkEntrySizes, DEFAULT_MAX_ENTRY_SIZE } from './entry-size';
import { TREE_OF } from './key-class';
import { MerkleHealth } from './merkle-health';
import { KeyRange } from './key-range';
import { MerkleIndex, type MerkleUndo } from './merkle-index';
import { DEFAULT_LOG_RETENTION, WalLog } from './wal-log';
import { activeJournal, runUndoingOn } from './write-journal';
import { ReadOnlyError, type RoleSource, type WriteMode } from './write-ownership';
import { WriteAdmission } from './sqlite-write-admission';
import { WriteFence } from './write-fence';
import type { CarriedEntry } from './carried-state';
import { isQuorumCarried, type LogPosition, type QuorumAppender } from './quorum';
import { applyCommitted, replaceCarriedState, type HaWriter } from './sqlite-ha';
import { CommitAcks, type CommitListener } from './sqlite-commit-acks';
import { EntryTable } from './sqlite-entries';
import { GroupCommit, type GroupCommitHost } from './sqlite-group-commit';
import { openDatabase, type SqliteOptions, type StorageFaults } from './sqlite-options';

/** This node's own record of its merkle health (class `ignored`: never shipped). */
const MERKLE_HEALTH_KEY = 'core/node/merkle-health';

export type { CommitListener, SqliteOptions, StorageFaults };

// SqliteBackend: one file per node, WAL journal, synchronous=FULL. Every write
// commits the entry, its replication-log record and its merkle update in ONE
// immediate transaction (sqlite-entries.ts), grouped per event-loop turn
// (sqlite-group-commit.ts) and acknowledged once durable — with HA, once the
// quorum has it (sqlite-commit-acks.ts). Writes are checked against the
// node's write mode (write-ownership.ts); what ships is read through `reader`,
// a second, read-only connection that sees only committed state
// (committed-reader.ts).
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
  private readonly admission = new WriteAdmission();
  private readonly groupCommit: boolean;
  readonly maxEntrySize: number;
  /** Told how long each group commit took and how many records it made durable (telemetry). */
  onFlush: ((ms: number, records: number) => void) | null = null;
  private readonly entries: EntryTable;
  private readonly keys: KeyRange;
  /** When commits count as committed; HA: once the quorum appender has them (quorum.ts). */
  private readonly acks: CommitAcks;
  private readonly group: GroupCommit;
  /** The internals sqlite-ha.ts and sqlite-group-commit.ts may use, and no others. */
  private readonly internals: HaWriter & GroupCommitHost;

  constructor(opts: SqliteOptions) {
    const { db, onDisk } = openDatabase(opts.path);
    this.db = db;
    this.path = onDisk ? opts.path : null;
    this.groupCommit = opts.groupCommit ?? false;
    this.maxEntrySize = opts.maxEntrySize ?? DEFAULT_MAX_ENTRY_SIZE;
    EntryTable.createSchema(this.db);
    this.log = new WalLog(this.db, opts.logRetention ?? DEFAULT_LOG_RETENTION);
    this.merkle = new MerkleIndex(this.db);
    this.entries = new EntryTable(this.db, this.merkle, this.log);
    this.acks = new CommitAcks(this.log);
    this.internals = this.makeInternals();
    this.group = new GroupCommit(this.internals);
    this.keys = new KeyRange(this.db);
    // An in-memory store has no second connection; its reader shares the writer (unit tests only).
    this.reader = onDisk ? SqliteCommittedReader.open(opts.path) : new SqliteCommittedReader(this.db);
    this.fence = new WriteFence(this.db);
    this.health = new MerkleHealth(this, (v) => this.put(MERKLE_HEALTH_KEY, v), this.get(MERKLE_HEALTH_KEY));
  }

  /** Who may write what on this node; replication sets it from its stored role. */
  get writeMode(): WriteMode {
    return this.admission.mode;
  }

  /** `roles`: where the role is stored, so a transaction that changes it is judged as that change (write-ownership.ts checkRoleWrites). */
  setWriteMode(mode: WriteMode, roles: RoleSource | null = this.admission.roles): void {
    this.admission.mode = mode;
    this.admission.roles = roles;
  }

  /** HA: whether this node is a standby, whose client writes of the cluster's keys are refused (sqlite-write-admission.ts). */
  setHaStandby(on: boolean): void {
    this.admission.haStandby = on;
  }

  get(key: string): Buffer | null {
    return this.entries.get(key);
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
    const b = this.group.current;
    return b ? Math.min(b.tip.index, this.acks.index) : this.acks.index;
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
    return this.acks.setAppender(appender);
  }

  /** Why acknowledgements stopped (an append the quorum refused), until a repair. */
  get quorumLost(): Error | null {
    return this.acks.lost;
  }

  /** Entries of one merkle bucket (a sync fetches differing buckets). */
  entriesInBuckets(tree: number, buckets: number[]): { key: string; value: Buffer }[] {
    return this.entries.inBuckets(tree, buckets);
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
    this.admission.client(ops);
    this.fence.check(ops);
    this.acks.appender?.admit?.(ops.filter((o) => isQuorumCarried(o.key)));
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
    this.admission.applier(ops);
    return this.commit(ops);
  }

  /**
   * Run a request's handler; if it hits a write this node does not own, undo
   * the local writes it made first (write-journal.ts) and rethrow, so the
   * request can be forwarded whole. Nothing is journaled where every write is allowed.
   */
  undoOnReadOnly<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.admission.mayRefuse) return fn();
    return runUndoingOn(fn, (err) => err instanceof ReadOnlyError, (k) => this.get(k), (ops) => this.commit(ops));
  }

  private commit(ops: StorageOp[]): LogRecord[] {
    this.failPutFault();
    if (this.groupCommit && !this.group.current) this.group.open();
    const tip = this.position();
    let records: LogRecord[] = [];
    const undo: MerkleUndo[] = [];
    try {
      // Inside an open batch better-sqlite3 runs this as a SAVEPOINT, so a
      // failing call rolls back only its own changes.
      records = this.inTxn(tip, undo, () => {
        const out = ops.map((o) => this.entries.applyOne(o, undo)).filter((r): r is LogRecord => r !== null);
        if (!this.group.current) this.flushMerkle();
        return out;
      });
    } catch (err) {
      throw new Error('storage transaction failed', { cause: err });
    }
    this.changes.publish(ops.map((o) => o.key));
    const carried = this.acks.appender ? ops.filter((o) => isQuorumCarried(o.key)) : [];
    const txns = carried.length ? [{ ops: carried, after: this.position() }] : [];
    const batch = this.group.current;
    if (batch) batch.records.push(...records), batch.txns.push(...txns);
    else this.acks.acknowledge({ before: tip, txns }, records, []);
    return records;
  }

  /** Commit the open group-commit batch now (also called on shutdown). */
  commitBatch(): void {
    this.group.commit();
  }

  /** Resolves once every write made so far is durable (with a quorum appender: in the quorum; rejects with QuorumLostError when it never will be). */
  flushed(): Promise<void> {
    return this.pendingFlush() ?? Promise.resolve();
  }

  /** What an answer must wait for before it leaves (group commit, the quorum's ack); null when nothing is pending, as on a read. */
  pendingFlush(): Promise<void> | null {
    return this.group.waiter() ?? this.acks.wait() ?? null;
  }

  /** The HA applier's one entry point (ha-design.md decision 4; sqlite-ha.ts). */
  applyCommitted(txns: StorageOp[][], expect: { before: LogPosition; after: LogPosition }, marker: StorageOp): LogRecord[] {
    return applyCommitted(this.internals, txns, expect, marker);
  }

  /** HA repair/bootstrap (decision 5; sqlite-ha.ts): every carried key replaced, the WalLog restarted at `at` (keepLog: kept up to `at`). */
  replaceCarried(entries: Iterable<CarriedEntry>, at: LogPosition, marker: StorageOp, keepLog = false): void {
    replaceCarriedState(this.internals, entries, at, marker, keepLog);
  }

  private makeInternals(): HaWriter & GroupCommitHost {
    return {
      db: this.db,
      log: this.log,
      merkle: this.merkle,
      position: () => this.position(),
      settle: (what) => {
        if (this.acks.appender) throw new Error(`${what} on a node that appends to the quorum log`);
        this.commitBatch();
      },
      applyOne: (o, undo) => this.entries.applyOne(o, undo),
      inTxn: (start, undo, fn) => this.inTxn(start, undo, fn),
      flushMerkle: () => this.flushMerkle(),
      failPutFault: () => this.failPutFault(),
      publish: (keys) => this.changes.publish(keys),
      publishAll: () => this.changes.publish(null),
      committed: (records, index) => this.acks.committed(records, index),
      resetAcks: (index) => this.acks.reset(index),
      flushedIn: (ms, records) => this.onFlush?.(ms, records),
      acknowledge: (q, records, waiters) => this.acks.acknowledge(q, records, waiters),
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

  /** Subscribe to committed log records (the live log shipper uses this). */
  onCommit(listener: CommitListener): () => void {
    return this.acks.onCommit(listener);
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

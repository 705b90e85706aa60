import Database from 'better-sqlite3';
import { SqliteCommittedReader } from './committed-reader';
import { compareTrees, pagesMatchLeaves, type MerkleCorruptionReport } from './merkle-check';
import type { MerkleIndex } from './merkle-index';
import { buildFromEntries, buildFromEntriesNow, openSnapshot, TreeBuilder } from './tree-builder';
import type { WalLog } from './wal-log';

// Is the incrementally kept merkle tree true to the entries? merkle-check
// answers from a full recomputation; reindex rebuilds it in the background
// with Vault's stages (reference §5): `scanning` (count the entries of a
// snapshot), `building` (hash them, chunk by chunk, writers unblocked),
// `wal-replay` (apply the writes committed since the snapshot) and `commit`
// (swap the rebuilt tree in, in one transaction). The last two run without
// yielding, which is this process's write lock.
export type ReindexStage = 'scanning' | 'building' | 'wal-replay' | 'commit';

/** What the health checks need of the store (SqliteBackend). */
export interface MerkleStore {
  /** The SQLite file, or null for an in-memory store (no second connection: checks run at once). */
  readonly path: string | null;
  readonly db: Database.Database;
  readonly merkle: MerkleIndex;
  readonly log: WalLog;
  commitBatch(): void;
  get(key: string): Buffer | null;
}

export interface ReindexProgress {
  inProgress: boolean;
  stage: ReindexStage | '';
  buildingProgress: number;
  buildingTotal: number;
}

interface Saved {
  corrupted: boolean;
  lastCheckAt: number;
  lastReindexAt: number;
}

const yieldNow = () => new Promise<void>((r) => setImmediate(r));

export class MerkleHealth {
  /** Found corrupted by the last check (or at open), until a reindex. */
  corrupted = false;
  /** ms since the epoch; 0 = never. */
  lastCheckAt = 0;
  lastReindexAt = 0;
  readonly reindex: ReindexProgress = { inProgress: false, stage: '', buildingProgress: 0, buildingTotal: 0 };
  private running: Promise<number> | null = null;

  constructor(
    private readonly store: MerkleStore,
    private readonly persist: (value: Buffer) => void,
    saved: Buffer | null,
  ) {
    if (saved) Object.assign(this, JSON.parse(saved.toString()) as Saved);
    if (!pagesMatchLeaves(store.db)) this.corrupted = true;
  }

  private save(): void {
    this.persist(Buffer.from(JSON.stringify({ corrupted: this.corrupted, lastCheckAt: this.lastCheckAt, lastReindexAt: this.lastReindexAt } satisfies Saved)));
  }

  /** Recompute the trees from a committed snapshot of the entries and compare them with the stored ones. */
  async check(): Promise<MerkleCorruptionReport> {
    const at = new Date();
    const builder = new TreeBuilder();
    let out: ReturnType<typeof compareTrees>;
    if (this.store.path === null) {
      this.store.commitBatch();
      buildFromEntriesNow(this.store.db, builder);
      out = compareTrees(this.store.db, builder, at);
    } else {
      const snap = openSnapshot(new Database(this.store.path, { readonly: true, fileMustExist: true }));
      try {
        await buildFromEntries(snap.db, builder, yieldNow);
        out = compareTrees(snap.db, builder, at);
      } finally {
        snap.release();
      }
    }
    this.corrupted = out.corrupted;
    this.lastCheckAt = at.getTime();
    this.save();
    return out.report;
  }

  /** Start a background reindex; null when one is already running. Resolves with the number of entries indexed. */
  startReindex(): Promise<number> | null {
    if (this.running) return null;
    Object.assign(this.reindex, { inProgress: true, stage: 'scanning', buildingProgress: 0, buildingTotal: 0 });
    const run = this.store.path === null ? Promise.resolve().then(() => this.rebuildNow()) : this.rebuildInBackground(this.store.path);
    this.running = run.finally(() => {
      Object.assign(this.reindex, { inProgress: false, stage: '', buildingProgress: 0, buildingTotal: 0 });
      this.running = null;
    });
    return this.running;
  }

  /** Rebuild at once, blocking writers for the whole scan. */
  rebuildNow(): number {
    this.store.commitBatch();
    const builder = new TreeBuilder();
    buildFromEntriesNow(this.store.db, builder);
    this.swapIn(builder);
    return builder.entries;
  }

  private async rebuildInBackground(path: string): Promise<number> {
    const snap = openSnapshot(new Database(path, { readonly: true, fileMustExist: true }));
    try {
      const reader = new SqliteCommittedReader(snap.db);
      const tip = reader.tip();
      this.reindex.buildingTotal = snap.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM entries').get()!.n;
      await yieldNow();
      this.reindex.stage = 'building';
      const builder = new TreeBuilder();
      await buildFromEntries(snap.db, builder, async (done) => {
        this.reindex.buildingProgress = done;
        await yieldNow();
      });
      // From here on nothing yields: no write can slip between replay and swap.
      this.reindex.stage = 'wal-replay';
      this.store.commitBatch();
      const { log } = this.store;
      const from = tip.index + 1;
      if (log.lastIndex >= from) {
        if (log.firstIndex() > from) return this.rebuildNow(); // the writes since the snapshot were garbage collected
        const changed = new Set(log.readFrom(from, log.lastIndex - from + 1).map((r) => r.key));
        for (const key of changed) builder.replay(key, reader.get(key), this.store.get(key));
      }
      this.reindex.stage = 'commit';
      this.swapIn(builder);
      return builder.entries;
    } finally {
      snap.release();
    }
  }

  private swapIn(builder: TreeBuilder): void {
    const fix = this.store.db.prepare('UPDATE entries SET hash = ?, tree = ?, bucket = ? WHERE key = ?');
    this.store.db
      .transaction(() => {
        for (const [key, p] of builder.fixes) fix.run(p.hash, p.tree, p.bucket, key);
        this.store.merkle.replace(builder.leaves);
      })
      .immediate();
    this.corrupted = false;
    this.lastReindexAt = Date.now();
    this.save();
  }
}

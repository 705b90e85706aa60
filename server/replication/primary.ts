import { FETCH_KEYS_BYTES, FETCH_KEYS_CHUNK, HEARTBEAT_INTERVAL_MS, shipsClass, WAL_BATCH_BYTES, WAL_BATCH_RECORDS, type ReplicationContext } from './context';
import { CommitTimes, preciseNowMs, toMicros } from './commit-clock';
import { cutWalBatch, encodedBytes, FrameBudget, itemBudget, largestItem } from './frame-budget';
import { FrameQueue } from './frame-queue';
import { errorFrame, type Frame, type WirePosition } from './frames';
import { NodeListOnLink } from './cluster-nodes';
import { LivenessWatch, silenceReason } from './liveness';
import { LEAF_COUNT, PAGE_COUNT } from '../storage/merkle-index';
import { KEYRING_PATH, SEAL_CONFIG_PATH } from '../barrier/barrier';
import { LOCAL_SEAL_PATH } from '../barrier/local-seal';
import type { Mode } from './state';
import type { FrameConnection, PeerIdentity } from './transport';
import { telemetry } from '../telemetry/metrics';

// The primary's side of one secondary's connection: answer the hello, bootstrap
// a wiped secondary, then either stream log records from its position (guard
// found) or tell it to merkle-sync (missing guard) and answer its sync
// requests; heartbeat every second.
/** How long a secondary may take to commit a bootstrap (one small transaction) and say so. */
export const BOOTSTRAP_ACK_TIMEOUT_MS = 60_000;
/** `secondaries[].last_error` for a link that closed without a word from the secondary. */
export const LINK_LOST = 'connection to the secondary was lost (closed without an error frame: stopped, crashed or cut off)';

export interface SecondaryLink {
  id: string;
  apiAddress: string;
  clusterAddress: string;
  connected: boolean;
  lastHeartbeat: number;
  lastHeartbeatDurationMs: number;
  clockSkewMs: number;
  ackedIndex: number;
  /** Why this link was given up (either side's reason), '' while healthy. */
  lastError: string;
}

export class PrimaryStream {
  readonly link: SecondaryLink;
  private next = 0; // next log index to ship
  private sent: WirePosition = { index: 0, guard: '' }; // where the last batch ended: the next one follows it
  /** Lag telemetry: a batch's `at` is when its oldest record committed here (commit-clock.ts). */
  private readonly commitTimes = new CommitTimes();
  private watch: LivenessWatch | null = null;
  private givenUp = false;
  private streaming = false;
  private pumping = false;
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | null = null;
  private readonly sentAt = new Map<number, number>();
  /** The primary cluster's nodes, as this link tells the secondary (cluster-nodes.ts). */
  private readonly nodeList = new NodeListOnLink(() => this.ctx.clusterAddrs?.(this.mode) ?? []);
  onHello: ((apiAddress: string) => void) | null = null;
  /** The secondary has seen a newer primary of this set: this one stands down (fencing.ts). */
  onNewerEpoch: ((epoch: number) => Promise<void>) | null = null;

  constructor(
    private readonly ctx: ReplicationContext,
    private readonly mode: Mode,
    private readonly conn: FrameConnection,
    peer: PeerIdentity,
    private readonly epoch: () => number,
    private readonly clusterId: () => string,
    /** Who may get the root key (root-key-claim.ts): a refusal reason, or null to go on. */
    private readonly claimKeys: (hello: { needsBootstrap: boolean; bootstrapNonce?: string }) => Promise<string | null>,
    /** The secondary committed its bootstrap: the key never goes to this certificate again. */
    private readonly confirmKeys: () => Promise<void>,
  ) {
    this.link = { id: peer.commonName, apiAddress: '', clusterAddress: '', connected: true, lastHeartbeat: 0, lastHeartbeatDurationMs: 0, clockSkewMs: 0, ackedIndex: 0, lastError: '' };
  }

  /** Log records come from the committed snapshot (storage/committed-reader.ts), never the writer. */
  private get log() {
    return this.ctx.physical.reader;
  }

  private send(f: Frame): Promise<void> {
    return this.conn.send(f);
  }

  async run(): Promise<void> {
    const q = new FrameQueue(this.conn, 'secondary');
    q.onSide('heartbeat-ack', (f) => {
      const sent = this.sentAt.get(f.seq);
      this.sentAt.delete(f.seq);
      if (sent === undefined) return;
      // Sub-ms process clocks on both ends (commit-clock.ts): the offset is as fine as the round trip allows.
      const now = preciseNowMs();
      this.link.lastHeartbeat = Math.floor(now);
      this.link.lastHeartbeatDurationMs = toMicros(now - sent);
      this.link.clockSkewMs = toMicros(f.secondaryTime - (sent + (now - sent) / 2));
    });
    q.onSide('ack', (f) => (this.link.ackedIndex = Math.max(this.link.ackedIndex, f.index)));
    this.conn.onFrame(() => this.watch?.touch()); // any frame shows the secondary is alive
    // A secondary that crashes, is stopped or is cut off closes without an error frame: its row still says why.
    this.conn.onClose(() => {
      if (!this.closed) this.link.lastError ||= LINK_LOST;
      this.stop();
    });
    // The link shows `connected` from here, so the silence timeout runs from here too: a secondary
    // that connects and says nothing (or stalls mid-bootstrap) is given up after MISSED_HEARTBEATS.
    this.startHeartbeats();
    try {
      // `return await` for refusals: the finally below destroys the connection, and must not before `refused` is flushed.
      const hello = await q.expect('hello', 15_000);
      if (hello.secondaryId !== this.link.id) return await this.refuse(`certificate is for "${this.link.id}" but hello names "${hello.secondaryId}"`);
      if (hello.clusterId && hello.clusterId !== this.clusterId()) return await this.refuse(`secondary belongs to replication set ${hello.clusterId}, this primary serves ${this.clusterId()}`);
      if (hello.epoch > this.epoch()) {
        await this.onNewerEpoch?.(hello.epoch); // this primary's storage refuses client writes from here on
        return await this.refuse(`this primary (epoch ${this.epoch()}) has been superseded by a promoted cluster (epoch ${hello.epoch}); demote it`);
      }
      this.link.apiAddress = hello.apiAddr;
      this.link.clusterAddress = hello.clusterAddr;
      this.onHello?.(hello.apiAddr);
      await this.send({ type: 'hello-ack', clusterId: this.clusterId(), lastIndex: this.ctx.physical.committedIndex, epoch: this.epoch(), apiAddr: this.ctx.apiAddr, clusterAddr: this.ctx.clusterAddr, ...this.nodeList.first() });
      const refusal = await this.claimKeys(hello);
      if (refusal) return await this.refuse(refusal);
      if (hello.needsBootstrap) {
        await this.bootstrap();
        // Until this ack the same secondary may claim the key again (after a crash); after it, no one.
        await q.expect('bootstrap-ack', BOOTSTRAP_ACK_TIMEOUT_MS);
        await this.confirmKeys();
      }
      await this.tryStream(hello.position);
      for (;;) {
        const f = await q.next();
        if (f.type === 'resume') await this.tryStream(f.position);
        else if (f.type === 'merkle-pages-request') await this.answerPages(f.tree);
        else if (f.type === 'merkle-leaves-request') await this.answerLeaves(f.tree, f.pages);
        else if (f.type === 'fetch-keys-request') await this.answerFetch(f.tree, f.buckets);
        else if (f.type === 'error') return void this.noteError(`secondary gave up: ${f.message}`);
        else throw new Error(`unexpected ${f.type} frame from secondary`);
      }
    } catch (err) {
      if (!this.closed) await this.giveUp((err as Error).message);
    } finally {
      this.stop();
      this.conn.destroy();
    }
  }

  private async refuse(reason: string): Promise<void> {
    this.ctx.logger.warn({ secondary: this.link.id, reason }, 'refusing secondary');
    this.link.lastError ||= `refused: ${reason}`;
    await this.send({ type: 'refused', reason }).catch(() => {});
    await this.conn.close().catch(() => {});
  }

  private async bootstrap(): Promise<void> {
    const { physical, core } = this.ctx;
    await physical.flushed();
    // Read now, not at activation: a rekey since then is what the secondary must unseal with.
    const localSeal = physical.reader.get(LOCAL_SEAL_PATH);
    await this.send({
      type: 'bootstrap',
      rootKey: core.barrier.exportRootKey().toString('base64'),
      sealConfig: physical.reader.get(SEAL_CONFIG_PATH)!.toString(),
      keyring: physical.reader.get(KEYRING_PATH)!.toString('base64'),
      devRootToken: this.ctx.devRootTokenId,
      ...(localSeal ? { localSeal: localSeal.toString() } : {}),
    });
  }

  private noteError(reason: string): void {
    this.link.lastError ||= reason;
    this.ctx.logger.warn({ secondary: this.link.id, reason }, 'secondary link given up');
  }

  /** Tell the secondary why this side stops (its last_error shows it), then hang up. */
  private async giveUp(reason: string): Promise<void> {
    if (this.givenUp) return;
    this.givenUp = true;
    this.noteError(reason);
    this.link.connected = false;
    await this.send(errorFrame(reason)).catch(() => {});
    await this.conn.close().catch(() => {});
  }

  private startHeartbeats(): void {
    const interval = this.ctx.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;
    this.watch = new LivenessWatch(interval, (silent) => void this.giveUp(silenceReason('secondary', silent, interval)));
    let seq = 0;
    this.timers.push(
      setInterval(() => {
        seq += 1;
        const at = preciseNowMs();
        this.sentAt.set(seq, at);
        if (this.sentAt.size > 30) this.sentAt.delete(this.sentAt.keys().next().value!);
        this.send({ type: 'heartbeat', lastIndex: this.ctx.physical.committedIndex, primaryTime: at, seq, ...this.nodeList.changed() }).catch(() => {});
      }, interval),
    );
  }

  /** Stream from position if the log still holds it with a matching guard, else ask for a merkle sync. */
  private async tryStream(pos: WirePosition): Promise<void> {
    this.streaming = false;
    const rec = pos.index > 0 ? this.log.at(pos.index) : null;
    const tip = this.ctx.physical.committedIndex;
    const found = pos.index > 0 && pos.index <= tip && rec !== null && rec.guard === pos.guard;
    if (!found) {
      telemetry.incr('vault.logshipper.streamWALs.missing_guard');
      const reason = pos.index === 0 ? 'new secondary' : rec ? 'guard mismatch (diverged history)' : `index ${pos.index} no longer in the log (retained from ${this.log.firstIndex()})`;
      this.ctx.logger.info({ secondary: this.link.id, position: pos.index, reason }, 'missing guard: secondary must merkle-sync');
      await this.send({ type: 'sync-required', reason });
      return;
    }
    telemetry.incr('vault.logshipper.streamWALs.guard_found');
    // An empty batch at the secondary's own position tells it streaming has begun, even when it is already caught up.
    await this.send({ type: 'wals', follows: pos, records: [], at: preciseNowMs(), lastIndex: pos.index, lastGuard: pos.guard });
    this.sent = { index: pos.index, guard: pos.guard };
    this.next = pos.index + 1;
    this.streaming = true;
    this.unsubscribe ??= this.ctx.physical.onCommit((records) => {
      this.commitTimes.note(records[0].index, records[records.length - 1].index);
      void this.pump();
    });
    await this.pump();
  }

  /** Ship committed records from `next` on; re-entrant calls coalesce. */
  private async pump(): Promise<void> {
    if (this.pumping || !this.streaming || this.closed) return;
    this.pumping = true;
    try {
      while (this.streaming && !this.closed) {
        const tip = this.ctx.physical.committedIndex;
        if (this.next > tip) break;
        if (this.next < this.log.firstIndex()) {
          this.streaming = false;
          await this.send({ type: 'sync-required', reason: 'fell behind log retention' });
          break;
        }
        const budget = itemBudget(WAL_BATCH_BYTES, this.conn.maxFrameBytes);
        // Raw bytes read ≈ what base64 turns into the budget; the cut itself is by encoded size below.
        const records = this.log.readFrom(this.next, WAL_BATCH_RECORDS, Math.floor(budget * 0.7)).filter((r) => r.index <= tip);
        if (!records.length) break;
        const { shipped, last } = cutWalBatch(records, (cls) => shipsClass(this.mode, cls), budget, this.conn.maxFrameBytes);
        const follows = this.sent;
        this.sent = { index: last.index, guard: last.guard };
        this.next = last.index + 1;
        await telemetry.timeAsync('vault.wal.persistWALs', () =>
          this.send({ type: 'wals', follows, records: shipped, at: this.commitTimes.of(records[0].index), lastIndex: last.index, lastGuard: last.guard }),
        );
        this.commitTimes.forgetThrough(last.index);
      }
    } catch (err) {
      if (!this.closed) await this.giveUp(`shipping failed: ${(err as Error).message}`);
    } finally {
      this.pumping = false;
    }
  }

  private async answerPages(tree: number): Promise<void> {
    // Committed page sums and the log position they belong to, from one snapshot (never the writer's in-memory tree).
    const { hashes, position } = this.ctx.physical.reader.pages(tree);
    const pos: WirePosition = { index: position.index, guard: position.index > 0 ? position.guard : '' };
    await this.send({ type: 'merkle-pages', tree, hashes: hashes.map((b) => b.toString('hex')), index: pos.index, guard: pos.guard });
  }

  private async answerLeaves(tree: number, pages: number[]): Promise<void> {
    // At most PAGE_COUNT distinct pages, so the answer stays a few hundred KiB whatever the request says.
    const leaves = this.ctx.physical.reader.leaves(tree, validIds(pages, PAGE_COUNT)).map(({ page, hashes }) => ({ page, hashes: hashes.map((b) => b.toString('hex')) }));
    await this.send({ type: 'merkle-leaves', tree, leaves });
  }

  private async answerFetch(tree: number, buckets: number[]): Promise<void> {
    // No wait for the writer's group commit: the reader sees only what is committed, whatever it does.
    const started = Date.now();
    // Read bucket by bucket and send in chunks, so a bootstrap of a large
    // store never holds all of it in memory. Writes made between chunks are
    // covered by streaming from the diff's snapshot position afterwards.
    // Chunks are cut by encoded size (and count, to bound one apply transaction).
    const max = this.conn.maxFrameBytes;
    const budget = itemBudget(FETCH_KEYS_BYTES, max);
    let chunk: { key: string; value: string }[] = [];
    let room = new FrameBudget(budget);
    for (const b of validIds(buckets, LEAF_COUNT)) {
      for (const e of this.ctx.physical.reader.entriesInBuckets(tree, [b])) {
        const entry = { key: e.key, value: e.value.toString('base64') };
        const bytes = encodedBytes(entry);
        if (bytes > largestItem(max)) throw new Error(`entry ${e.key} encodes to ${bytes} bytes, more than a ${max}-byte frame can carry`);
        if (chunk.length >= FETCH_KEYS_CHUNK || !room.admit(bytes)) {
          await this.send({ type: 'fetch-keys', tree, entries: chunk, done: false });
          chunk = [];
          room = new FrameBudget(budget);
          room.admit(bytes);
        }
        chunk.push(entry);
      }
    }
    await this.send({ type: 'fetch-keys', tree, entries: chunk, done: true });
    telemetry.observe('vault.replication.fetchRemoteKeys', Date.now() - started);
  }

  stop(): void {
    if (this.closed) return;
    this.closed = true;
    this.streaming = false;
    this.link.connected = false;
    this.unsubscribe?.();
    this.watch?.stop();
    for (const t of this.timers) clearInterval(t);
  }
}

/** Distinct ids in [0, count), in order: a peer's request never multiplies the answer. */
function validIds(ids: number[], count: number): number[] {
  return [...new Set(ids)].filter((i) => Number.isInteger(i) && i >= 0 && i < count);
}

import { FETCH_KEYS_BYTES, FETCH_KEYS_CHUNK, HEARTBEAT_INTERVAL_MS, shipsClass, WAL_BATCH_BYTES, WAL_BATCH_RECORDS, type ReplicationContext } from './context';
import { FrameQueue } from './frame-queue';
import { recordToWire, type Frame, type WirePosition } from './frames';
import { KEYRING_PATH, SEAL_CONFIG_PATH } from '../barrier/barrier';
import type { Mode } from './state';
import type { FrameConnection, PeerIdentity } from './transport';
import { telemetry } from '../telemetry/metrics';

// The primary's side of one secondary's connection: answer the hello, bootstrap
// a wiped secondary, then either stream log records from its position (guard
// found) or tell it to merkle-sync (missing guard) and answer its sync
// requests; heartbeat every second.
export interface SecondaryLink {
  id: string;
  apiAddress: string;
  clusterAddress: string;
  connected: boolean;
  lastHeartbeat: number;
  lastHeartbeatDurationMs: number;
  clockSkewMs: number;
  ackedIndex: number;
}

export class PrimaryStream {
  readonly link: SecondaryLink;
  private next = 0; // next log index to ship
  private streaming = false;
  private pumping = false;
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | null = null;
  private readonly sentAt = new Map<number, number>();
  onHello: ((apiAddress: string) => void) | null = null;

  constructor(
    private readonly ctx: ReplicationContext,
    private readonly mode: Mode,
    private readonly conn: FrameConnection,
    peer: PeerIdentity,
    private readonly epoch: () => number,
    private readonly clusterId: () => string,
    /** Records that this secondary holds (or is about to be handed) the root key; a refusal reason if a bootstrap is asked for again. */
    private readonly claimKeys: (needsBootstrap: boolean) => Promise<string | null>,
  ) {
    this.link = { id: peer.commonName, apiAddress: '', clusterAddress: '', connected: true, lastHeartbeat: 0, lastHeartbeatDurationMs: 0, clockSkewMs: 0, ackedIndex: 0 };
  }

  private get log() {
    return this.ctx.physical.log;
  }

  private send(f: Frame): Promise<void> {
    return this.conn.send(f);
  }

  async run(): Promise<void> {
    const q = new FrameQueue(this.conn);
    q.onSide('heartbeat-ack', (f) => {
      const sent = this.sentAt.get(f.seq);
      this.sentAt.delete(f.seq);
      if (sent === undefined) return;
      const now = Date.now();
      this.link.lastHeartbeat = now;
      this.link.lastHeartbeatDurationMs = now - sent;
      this.link.clockSkewMs = Math.round(f.secondaryTime - (sent + (now - sent) / 2));
    });
    q.onSide('ack', (f) => (this.link.ackedIndex = Math.max(this.link.ackedIndex, f.index)));
    this.conn.onClose(() => this.stop());
    try {
      // `return await` for refusals: the finally below destroys the connection, and must not before `refused` is flushed.
      const hello = await q.expect('hello', 15_000);
      if (hello.secondaryId !== this.link.id) return await this.refuse(`certificate is for "${this.link.id}" but hello names "${hello.secondaryId}"`);
      if (hello.clusterId && hello.clusterId !== this.clusterId()) return await this.refuse(`secondary belongs to replication set ${hello.clusterId}, this primary serves ${this.clusterId()}`);
      if (hello.epoch > this.epoch()) {
        return await this.refuse(`this primary (epoch ${this.epoch()}) has been superseded by a promoted cluster (epoch ${hello.epoch}); demote it`);
      }
      this.link.apiAddress = hello.apiAddr;
      this.link.clusterAddress = hello.clusterAddr;
      this.onHello?.(hello.apiAddr);
      await this.send({ type: 'hello-ack', clusterId: this.clusterId(), lastIndex: this.ctx.physical.committedIndex, epoch: this.epoch(), apiAddr: this.ctx.apiAddr, clusterAddr: this.ctx.clusterAddr });
      const refusal = await this.claimKeys(hello.needsBootstrap);
      if (refusal) return await this.refuse(refusal);
      if (hello.needsBootstrap) await this.bootstrap();
      this.startHeartbeats();
      await this.tryStream(hello.position);
      for (;;) {
        const f = await q.next();
        if (f.type === 'resume') await this.tryStream(f.position);
        else if (f.type === 'merkle-pages-request') await this.answerPages(f.tree);
        else if (f.type === 'merkle-leaves-request') await this.answerLeaves(f.tree, f.pages);
        else if (f.type === 'fetch-keys-request') await this.answerFetch(f.tree, f.buckets);
        else throw new Error(`unexpected ${f.type} frame from secondary`);
      }
    } catch (err) {
      if (!this.closed) this.ctx.logger.warn({ secondary: this.link.id, err: (err as Error).message }, 'secondary stream ended');
    } finally {
      this.stop();
      this.conn.destroy();
    }
  }

  private async refuse(reason: string): Promise<void> {
    this.ctx.logger.warn({ secondary: this.link.id, reason }, 'refusing secondary');
    await this.send({ type: 'refused', reason }).catch(() => {});
    await this.conn.close().catch(() => {});
  }

  private async bootstrap(): Promise<void> {
    const { physical, core } = this.ctx;
    await physical.flushed();
    await this.send({
      type: 'bootstrap',
      rootKey: core.barrier.exportRootKey().toString('base64'),
      sealConfig: physical.get(SEAL_CONFIG_PATH)!.toString(),
      keyring: physical.get(KEYRING_PATH)!.toString('base64'),
      devRootToken: this.ctx.devRootTokenId,
    });
  }

  private startHeartbeats(): void {
    let seq = 0;
    this.timers.push(
      setInterval(() => {
        seq += 1;
        this.sentAt.set(seq, Date.now());
        if (this.sentAt.size > 30) this.sentAt.delete(this.sentAt.keys().next().value!);
        this.send({ type: 'heartbeat', lastIndex: this.ctx.physical.committedIndex, primaryTime: Date.now(), seq }).catch(() => {});
      }, HEARTBEAT_INTERVAL_MS),
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
    await this.send({ type: 'wals', records: [], at: Date.now(), lastIndex: pos.index, lastGuard: pos.guard });
    this.next = pos.index + 1;
    this.streaming = true;
    this.unsubscribe ??= this.ctx.physical.onCommit(() => void this.pump());
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
        const records = this.log.readFrom(this.next, WAL_BATCH_RECORDS, WAL_BATCH_BYTES).filter((r) => r.index <= tip);
        if (!records.length) break;
        const last = records[records.length - 1];
        const shipped = records.filter((r) => shipsClass(this.mode, r.cls));
        this.next = last.index + 1;
        await telemetry.timeAsync('vault.wal.persistWALs', () =>
          this.send({ type: 'wals', records: shipped.map(recordToWire), at: Date.now(), lastIndex: last.index, lastGuard: last.guard }),
        );
      }
    } catch (err) {
      this.ctx.logger.warn({ secondary: this.link.id, err: (err as Error).message }, 'shipping failed');
      this.conn.destroy();
    } finally {
      this.pumping = false;
    }
  }

  private snapshotPosition(): WirePosition {
    const idx = this.ctx.physical.committedIndex;
    return { index: idx, guard: idx > 0 ? (this.log.at(idx)?.guard ?? '') : '' };
  }

  private async answerPages(tree: number): Promise<void> {
    await this.ctx.physical.flushed();
    const pos = this.snapshotPosition();
    const hashes = this.ctx.physical.merkle.pageHashes(tree).map((b) => b.toString('hex'));
    await this.send({ type: 'merkle-pages', tree, hashes, index: pos.index, guard: pos.guard });
  }

  private async answerLeaves(tree: number, pages: number[]): Promise<void> {
    await this.ctx.physical.flushed();
    const leaves = pages.map((page) => ({ page, hashes: this.ctx.physical.merkle.leafHashes(tree, page).map((b) => b.toString('hex')) }));
    await this.send({ type: 'merkle-leaves', tree, leaves });
  }

  private async answerFetch(tree: number, buckets: number[]): Promise<void> {
    await this.ctx.physical.flushed();
    const started = Date.now();
    // Read bucket by bucket and send in chunks, so a bootstrap of a large
    // store never holds all of it in memory. Writes made between chunks are
    // covered by streaming from the diff's snapshot position afterwards.
    let chunk: { key: string; value: string }[] = [];
    let bytes = 0;
    const sendChunk = async () => {
      await this.send({ type: 'fetch-keys', tree, entries: chunk, done: false });
      chunk = [];
      bytes = 0;
      await this.ctx.physical.flushed(); // never ship a write that is not durable yet
    };
    for (const b of buckets) {
      for (const e of this.ctx.physical.entriesInBuckets(tree, [b])) {
        // Byte-bounded too: a frame of many large entries must stay under MAX_FRAME_BYTES.
        if (chunk.length && bytes + e.key.length + e.value.length > FETCH_KEYS_BYTES) await sendChunk();
        chunk.push({ key: e.key, value: e.value.toString('base64') });
        bytes += e.key.length + e.value.length;
      }
      if (chunk.length >= FETCH_KEYS_CHUNK) await sendChunk();
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
    for (const t of this.timers) clearInterval(t);
  }
}

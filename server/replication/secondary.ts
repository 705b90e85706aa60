import { telemetry } from '../telemetry/metrics';
import { applyBatches } from './apply-batch';
import { dialPrimary } from './dial-primary';
import { preciseNowMs, toMicros } from './commit-clock';
import { HEARTBEAT_INTERVAL_MS, TREES_OF, type ReplicationContext } from './context';
import { FrameQueue } from './frame-queue';
import { errorFrame, type Frame, type FrameOf } from './frames';
import { IndexWaiters } from './index-waiters';
import { LivenessWatch, silenceReason } from './liveness';
import { merkleSync } from './merkle-sync';
import { helloAnswer, NotActiveError } from './not-active';
import { PrimaryDialPlan } from './primary-dial-plan';
import type { ConnectionState, Mode, SecondaryBundle, SecondaryState } from './state';
import type { FrameConnection } from './transport';

// The secondary's run loop: dial the primary's cluster port with this
// secondary's client certificate, say where it is, then apply what arrives —
// bootstrap, a merkle sync when the primary lacks our position, then the live
// record stream. On any error: log, back off, reconnect (litefs monitorLease).
const BACKOFF_MS = [200, 500, 1_000, 2_000, 5_000];
/** Between two nodes of the primary's cluster within one round: a yield, not a backoff. */
const NEXT_NODE_PAUSE_MS = 20;
const DIAL_TIMEOUT_MS = 5_000;
/** Most wals frames applied in one transaction (each is at most WAL_BATCH_BYTES encoded). */
const APPLY_COALESCE_FRAMES = 8;
/** Applies kept for status `recent_applies` (bench/replication.ts reads the lag of each from them). */
const RECENT_APPLIES = 512;

export interface SecondaryDeps {
  ctx: ReplicationContext;
  mode: Mode;
  bundle: () => SecondaryBundle | null;
  primaryClusterAddr: () => string;
  clusterId: () => string;
  secondaryId: () => string;
  epoch: () => number;
  needsBootstrap: () => boolean;
  /** Kept with the bundle until the bootstrap commits: lets this secondary fetch the key again after a crash. */
  bootstrapNonce: () => string;
  /** Adopt the primary's keys: one transaction, durable when this resolves (bootstrap-apply.ts). */
  onBootstrap: (f: FrameOf<'bootstrap'>) => Promise<void>;
  onPrimaryInfo: (info: { apiAddr: string; clusterAddr: string; epoch: number }) => void;
  /** Every node address of the primary's cluster known so far (stored with the replication state). */
  knownPrimaryClusterAddrs?: () => string[];
  /** The node in use (the active that accepted) and the primary cluster's node list, after a hello-ack or a heartbeat that brings one. */
  onPrimaryAddrs?: (inUse: string, known: string[]) => void;
  /** A primary that must not be followed (older epoch, other set): stop and say why. */
  onRefusal: (reason: string) => void;
  onApplied: (keys: string[]) => void;
  onSynced: () => Promise<void>;
  /** How to reach the primary; default: dial its cluster port with the stored bundle. The data plane's unit tests pass an in-memory link. */
  connect?: () => Promise<FrameConnection>;
}

/** The primary sent an error frame: it gave up on this link, and said why. */
class PrimaryGaveUp extends Error {}

export class SecondaryRunner {
  state: SecondaryState = 'connecting';
  connectionState: ConnectionState = 'connecting';
  lastHeartbeat = 0;
  lastHeartbeatDurationMs = 0;
  clockSkewMs = 0;
  /** Lag telemetry (commit-clock.ts): when the batch ending at coveredIndex was applied here, and when its oldest record committed on the primary (the primary's clock). */
  lastApplied = { atMs: 0, primaryCommitMs: 0 };
  /** The last RECENT_APPLIES applies (same stamps as lastApplied, with the index each ended at), oldest first: a reader polling status now and then sees every one. */
  readonly recentApplies: { index: number; atMs: number; primaryCommitMs: number }[] = [];
  syncProgress = { sync_progress: 0, sync_total_keys: 0 };
  lastError = '';
  private conn: FrameConnection | null = null;
  private stopped = false;
  private coveredIdx = 0;
  /** Lag measured when the primary was last heard from (0 when a heartbeat found us caught up). */
  private measuredLag = 0;
  private lastContact = 0;
  /** Set when the link went silent; kept in last_error through failed reconnects until the primary answers again. */
  private silence = '';
  private readonly waiters = new IndexWaiters();
  private readonly done: Promise<void>;
  /** Which primary node to dial: the one in use, then the others of its cluster (primary-dial-plan.ts). */
  private readonly plan: PrimaryDialPlan;

  constructor(private readonly d: SecondaryDeps) {
    this.coveredIdx = d.ctx.store.position(d.mode).index;
    this.plan = new PrimaryDialPlan(d.primaryClusterAddr(), d.knownPrimaryClusterAddrs?.() ?? []);
    this.done = this.loop();
  }

  /**
   * How far this secondary trails its primary (`lag_ms`). While the link is
   * not ready it grows with the time since the primary was last heard from:
   * a silent primary may be taking writes we do not see.
   */
  get lagMs(): number {
    if (this.connectionState === 'ready' || !this.lastContact) return this.measuredLag;
    return this.measuredLag + Math.max(0, Date.now() - this.lastContact);
  }

  /** Last primary log index this secondary holds (`last_remote_wal`). */
  get coveredIndex(): number {
    return this.coveredIdx;
  }

  private get log() {
    return this.d.ctx.logger.child({ component: `replication.secondary.${this.d.mode}` });
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    let roundFailed = true;
    while (!this.stopped) {
      try {
        await this.session(() => (attempt = 0));
      } catch (err) {
        if (this.stopped) break;
        const msg = (err as Error).message;
        this.lastError = !this.silence || msg === this.silence ? msg : `${this.silence}; reconnecting: ${msg}`;
        this.connectionState = 'transient_failure';
        this.state = 'connecting';
        // Another node of the primary's cluster may be (or know) the active: back off only once every one failed.
        roundFailed = err instanceof NotActiveError ? this.plan.redirected(err.activeClusterAddr, err.clusterAddrs) : this.plan.failed();
        this.log.warn({ err: this.lastError, next: this.plan.addr }, 'replication connection lost; retrying');
      }
      if (this.stopped) break;
      await new Promise((r) => setTimeout(r, roundFailed ? BACKOFF_MS[Math.min(attempt++, BACKOFF_MS.length - 1)] : NEXT_NODE_PAUSE_MS));
    }
  }

  private dial(): Promise<FrameConnection> {
    const bundle = this.d.bundle();
    if (!bundle) throw new Error('no activation bundle stored for this secondary');
    return dialPrimary(this.plan.addr, this.d.mode, bundle, DIAL_TIMEOUT_MS);
  }


  private async session(onConnected: () => void): Promise<void> {
    this.connectionState = 'connecting';
    const conn = await (this.d.connect ? this.d.connect() : this.dial());
    if (this.stopped) return void conn.destroy();
    this.conn = conn;
    const q = new FrameQueue(conn);
    let watch: LivenessWatch | null = null;
    conn.onFrame(() => {
      this.lastContact = Date.now();
      watch?.touch();
    });
    const send = (f: Frame) => conn.send(f);
    q.onSide('heartbeat', (f) => {
      const now = preciseNowMs(); // sub-ms: the primary derives the clock offset from this stamp
      this.lastHeartbeat = Math.floor(now);
      this.clockSkewMs = toMicros(now - f.primaryTime);
      // Heartbeats run from the primary's accept; only a primary this side has accepted (hello-ack) clears errors.
      if (f.clusterAddrs && this.connectionState === 'ready') this.d.onPrimaryAddrs?.(this.plan.addr, this.plan.learn(f.clusterAddrs));
      if (f.lastIndex <= this.coveredIdx && this.connectionState === 'ready') {
        // Caught up with a live primary: whatever went wrong before is over. (Cleared here, not on
        // reconnect, so an error that recurs on every connection stays visible instead of flickering.)
        this.measuredLag = 0;
        this.lastError = '';
      }
      telemetry.setGauge('vault.replication.rpc.server.last_heartbeat', Math.floor(now / 1000));
      conn.send({ type: 'heartbeat-ack', seq: f.seq, secondaryTime: now }).catch(() => {});
    });
    // The primary heartbeats from the moment it accepts; three missed and the link is down (also mid-hello or mid-bootstrap).
    const interval = this.d.ctx.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;
    watch = new LivenessWatch(interval, (silent) => {
      this.silence = silenceReason('primary', silent, interval);
      this.lastError = this.silence;
      this.connectionState = 'transient_failure';
      this.log.warn({ err: this.silence }, 'primary is silent; reconnecting');
      void this.giveUp(conn, this.silence);
    });
    try {
      const pos = this.d.ctx.store.position(this.d.mode);
      await send({
        type: 'hello',
        mode: this.d.mode,
        secondaryId: this.d.secondaryId(),
        position: pos,
        clusterId: this.d.clusterId(),
        apiAddr: this.d.ctx.apiAddr,
        clusterAddr: this.d.ctx.clusterAddr,
        epoch: this.d.epoch(),
        needsBootstrap: this.d.needsBootstrap(),
        ...(this.d.needsBootstrap() ? { bootstrapNonce: this.d.bootstrapNonce() } : {}),
      });
      const ack = await helloAnswer(q, this.plan.addr, 15_000);
      if (ack.clusterId !== this.d.clusterId()) return this.refuse(`primary serves replication set ${ack.clusterId}, this secondary belongs to ${this.d.clusterId()}`);
      if (ack.epoch < this.d.epoch())
        return this.refuse(`primary at ${this.plan.addr} is stale (epoch ${ack.epoch} < ${this.d.epoch()}): it was superseded by a promotion and must be demoted`);
      this.d.onPrimaryInfo({ apiAddr: ack.apiAddr, clusterAddr: ack.clusterAddr, epoch: ack.epoch });
      this.d.onPrimaryAddrs?.(this.plan.addr, this.plan.connected(ack.clusterAddrs));
      this.connectionState = 'ready';
      // The primary answers again: a silence is over (other errors stay until we are caught up).
      if (this.silence && this.lastError.startsWith(this.silence)) this.lastError = '';
      this.silence = '';
      onConnected();
      if (this.d.needsBootstrap()) {
        this.state = 'bootstrapping';
        const f = await q.next(30_000);
        // A refused bootstrap (already bootstrapped, revoked) will not change by retrying.
        if (f.type === 'refused') return this.refuse(f.reason);
        if (f.type !== 'bootstrap') throw new Error(`expected bootstrap frame, got ${f.type}`);
        await this.d.onBootstrap(f);
        await send({ type: 'bootstrap-ack' });
      }
      for (;;) {
        const f = await q.next();
        if (f.type === 'sync-required') {
          const stats = await merkleSync(send, q, this.d.ctx.physical, TREES_OF[this.d.mode], {
            onPhase: (p) => (this.state = p),
            onProgress: (done, total) => (this.syncProgress = { sync_progress: done, sync_total_keys: total }),
          }, (p) => this.d.ctx.store.positionOp(this.d.mode, p));
          this.log.info({ reason: f.reason, ...stats, position: stats.position.index }, 'merkle sync complete');
          this.coveredIdx = stats.position.index;
          this.d.onApplied(['*']);
          await this.d.onSynced();
          this.state = 'stream-wals';
          await send({ type: 'resume', position: stats.position });
        } else if (f.type === 'wals') {
          this.state = 'stream-wals';
          // Batches that queued up while the last one was applied go in together: one fsync, not one each.
          await this.apply([f, ...q.takeQueued('wals', APPLY_COALESCE_FRAMES - 1)], send);
        } else if (f.type === 'refused') {
          return this.refuse(f.reason);
        } else if (f.type === 'error') {
          throw new PrimaryGaveUp(`primary error: ${f.message}`);
        } else throw new Error(`unexpected ${f.type} frame from primary`);
      }
    } catch (err) {
      if (watch?.expired) throw new Error(this.silence); // the close that followed our own hang-up
      // Whatever made this side stop (a continuity gap, a failed apply, a bad frame), the primary hears why.
      if (!(err instanceof PrimaryGaveUp) && !conn.closed) await this.giveUp(conn, (err as Error).message);
      throw err;
    } finally {
      watch?.stop();
      this.conn = null;
      conn.destroy();
    }
  }

  /** Send the reason (the primary shows it for this secondary), then hang up. */
  private async giveUp(conn: FrameConnection, reason: string): Promise<void> {
    await conn.send(errorFrame(reason)).catch(() => {});
    await conn.close().catch(() => {});
  }

  /**
   * Apply batches in order, durable together: applyBatches checks each continues the stored position
   * (a failing one writes nothing). What applied is acknowledged; then the failure, if any, is thrown.
   */
  private async apply(batches: FrameOf<'wals'>[], send: (f: Frame) => Promise<void>): Promise<void> {
    // Read-your-writes needs the write readable here, not durable here (the primary made it durable): released before the fsync.
    const { applied, error } = await applyBatches(this.d.ctx.physical, this.d.ctx.store, this.d.mode, batches, (staged) => this.waiters.release(staged.at(-1)!.lastIndex));
    const last = applied.at(-1);
    if (last) {
      // The oldest record of what just applied waited longest: lag is measured from it.
      const oldest = Math.min(...applied.map((b) => b.at));
      this.coveredIdx = last.lastIndex;
      this.lastApplied = { atMs: preciseNowMs(), primaryCommitMs: oldest };
      this.recentApplies.push({ index: last.lastIndex, ...this.lastApplied });
      if (this.recentApplies.length > RECENT_APPLIES) this.recentApplies.shift();
      this.measuredLag = Math.max(0, Date.now() - oldest - Math.max(0, this.clockSkewMs));
      telemetry.setGauge('vault.replication.fsm.last_remote_wal', last.lastIndex);
      telemetry.setGauge('vault.replication.lag_ms', this.lagMs, { mode: this.d.mode });
      const keys = applied.flatMap((b) => b.records.map((r) => r.key));
      if (keys.length) this.d.onApplied(keys);
      this.waiters.release(this.coveredIdx);
      await send({ type: 'ack', index: last.lastIndex });
    }
    if (error) throw error;
  }

  private refuse(reason: string): void {
    this.lastError = reason;
    this.state = 'idle';
    this.connectionState = 'shutdown';
    this.stopped = true;
    this.log.error({ reason }, 'refusing primary');
    this.d.onRefusal(reason);
  }

  /** Resolves once the record at `index` has been applied here (read-your-writes), or after timeoutMs. */
  waitForIndex(index: number, timeoutMs: number): Promise<boolean> {
    return this.waiters.wait(index, this.coveredIdx, timeoutMs);
  }

  /** Drop the current connection (tests and `recover` use this); the loop reconnects. */
  dropConnection(): void {
    this.conn?.destroy();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.connectionState = 'shutdown';
    this.state = 'idle';
    this.conn?.destroy();
    await this.done.catch(() => {});
  }
}

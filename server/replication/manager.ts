import type { Core } from '../core/core';
import { wrapTokenHash } from '../core/wrapping';
import type { Logger } from '../log';
import type { StorageOp } from '../storage/backend';
import type { SqliteBackend } from '../storage/sqlite';
import { telemetry } from '../telemetry/metrics';
import type { ReplicationContext } from './context';
import { noCrash, type CrashPoint } from './crash-points';
import { KIND, transition, type ControlEvent } from './mode-transitions';
import { PrimaryStream } from './primary';
import { answerEpoch, knownSecondary, leaderFenceOp, releaseFenceOp, standDown, supersession } from './fencing';
import { claimRootKey, confirmBootstrap } from './root-key-claim';
import { ClusterNodes } from './cluster-nodes';
import { listenerCert } from './listener-cert';
import { StandbyRedirect } from './standby-redirect';
import type { SecondaryRunner } from './secondary';
import { secondaryRunner } from './secondary-role';
import { MODES, NO_POSITION, ReplicationStore, type Mode, type ModeState } from './state';
import { ALPN, parseClusterAddr, startClusterListener, type ClusterListener, type FrameConnection, type PeerIdentity } from './transport';

// Owns the replication roles of this node: the cluster listener that serves
// secondaries (when any mode is primary), the live primary streams, and the
// secondary run loop per mode. Started after unseal, stopped before seal.
export interface ManagerOptions {
  core: Core;
  physical: SqliteBackend;
  logger: Logger;
  apiAddr: string;
  clusterAddr: string;
  devRootTokenId: string;
  /** Test-only: kill the process at a named step (crash-points.ts). */
  crashPoint?: CrashPoint;
}

export class ReplicationManager {
  readonly store: ReplicationStore;
  readonly ctx: ReplicationContext;
  private listener: ClusterListener | null = null;
  /** CA and certificate the running listener serves with (both PEMs). */
  private listenerCreds = '';
  readonly streams: Record<Mode, Map<string, PrimaryStream>> = { dr: new Map(), performance: new Map() };
  readonly runners: Partial<Record<Mode, SecondaryRunner>> = {};
  private readonly changeListeners = new Set<() => void>();
  onForwardConnection: ((conn: FrameConnection, peer: PeerIdentity) => void) | null = null;
  onShutdown: (() => void) | null = null;
  /** This cluster's nodes by cluster address, which a primary tells its secondaries. */
  readonly clusterNodes: ClusterNodes;
  /** Set while this node is a standby of an HA cluster: its listener only names the active. */
  private standby: StandbyRedirect | null = null;

  constructor(readonly opts: ManagerOptions) {
    this.store = new ReplicationStore(opts.physical, opts.core.barrier);
    this.clusterNodes = new ClusterNodes(opts.clusterAddr, () => opts.core.opts.ha?.runtime ?? null, opts.logger);
    this.ctx = {
      core: opts.core,
      physical: opts.physical,
      store: this.store,
      logger: opts.logger.child({ component: 'replication' }),
      apiAddr: opts.apiAddr,
      clusterAddr: opts.clusterAddr,
      devRootTokenId: opts.devRootTokenId,
      clusterAddrs: (m) => this.advertisedAddrs(m),
    };
  }

  get logger(): Logger {
    return this.ctx.logger;
  }

  state(m: Mode): ModeState {
    return this.store.state(m);
  }

  /** Fields that describe a role (addresses, errors, known secondaries); a change of role goes through transition(). */
  save(m: Mode, s: ModeState): void {
    if (s.mode !== this.store.mode(m)) throw new Error(`replication ${m}: a change of mode (${this.store.mode(m)} → ${s.mode}) must go through transition()`);
    this.store.saveState(m, s);
    this.changed();
  }

  /**
   * The one way a mode's role changes: the next state comes from the
   * transition table (mode-transitions.ts) and commits in ONE transaction with
   * `ops` (a wipe, a bundle, keys). `apply` is the storage write: the client
   * path by default, the replication applier for a bootstrap.
   */
  transition(m: Mode, e: ControlEvent, ops: StorageOp[] = [], apply: (ops: StorageOp[]) => unknown = (o) => this.opts.physical.transaction(o)): ModeState {
    const prev = this.state(m);
    const next = transition(KIND[m], prev, e);
    // The write fence follows the role in the same transaction: a leader stores the epoch it leads at, one that stops leading drops it.
    const leads = next.mode === 'primary' && (prev.mode !== 'primary' || prev.epoch !== next.epoch);
    const fence = leads ? [leaderFenceOp(m, next.epoch)] : prev.mode === 'primary' && next.mode !== 'primary' ? [releaseFenceOp(m)] : [];
    // A stored position says "my data equals the followed log up to here". A node that leads
    // writes on its own past that point, so taking or leaving the lead forgets it: a re-joined
    // old primary must merkle-diff away what it acknowledged alone (chaos defect F1), never
    // resume streaming on top of it. A new secondary starts from nothing too.
    const forgetsPosition = (next.mode === 'primary' && prev.mode !== 'primary') || e.type === 'demote' || e.type === 'enable-secondary';
    const position = forgetsPosition ? [this.store.positionOp(m, NO_POSITION)] : [];
    this.store.commit(apply, [...ops, ...fence, ...position], { [m]: next });
    this.logger.info({ mode: m, event: e.type, to: next.mode }, 'replication state transition');
    this.updateRoleGauges();
    this.changed();
    return next;
  }

  crash(step: Parameters<CrashPoint>[0]): void {
    (this.opts.crashPoint ?? noCrash)(step);
  }

  onChange(l: () => void): () => void {
    this.changeListeners.add(l);
    return () => this.changeListeners.delete(l);
  }

  changed(): void {
    for (const l of this.changeListeners) l();
  }

  modes(): { dr: string; performance: string } {
    return { dr: this.store.mode('dr'), performance: this.store.mode('performance') };
  }

  private updateRoleGauges(): void {
    for (const m of MODES) {
      const mode = this.state(m).mode;
      const key = m === 'dr' ? 'dr' : 'performance';
      telemetry.setGauge(`vault.core.replication.${key}.primary` as 'vault.core.replication.dr.primary', mode === 'primary' ? 1 : 0);
      telemetry.setGauge(`vault.core.replication.${key}.secondary` as 'vault.core.replication.dr.secondary', mode === 'secondary' ? 1 : 0);
    }
  }

  /** After unseal: bring every mode's role back up from stored state. */
  async start(): Promise<void> {
    await this.endStandby();
    this.clusterNodes.start();
    const scrubbed = this.store.scrubLegacyTokenIds(wrapTokenHash);
    if (scrubbed) this.logger.info({ scrubbed }, 'moved activation-token references behind the barrier');
    this.store.syncSetMirror(); // a performance primary's DR secondaries must hold its set (performance-set.ts)
    this.updateRoleGauges();
    if (MODES.some((m) => this.state(m).mode === 'primary')) await this.ensureListener();
    for (const m of MODES) {
      const s = this.state(m);
      if ((s.mode === 'secondary' || s.mode === 'bootstrapping') && s.primaryClusterAddrInUse) this.startSecondary(m);
    }
  }

  /** Process exit: stop the roles and the background timers. */
  async shutdown(): Promise<void> {
    await this.stop();
    this.onShutdown?.();
  }

  /** Before seal (and inside shutdown). */
  async stop(): Promise<void> {
    await this.endStandby();
    this.clusterNodes.stop();
    for (const m of MODES) await this.stopSecondary(m);
    for (const m of MODES) this.dropAllStreams(m);
    await this.listener?.close();
    this.listener = null;
  }

  /**
   * The nodes this primary tells its secondaries of mode `m` about, to fail over between. None when it was
   * enabled with primary_cluster_addr: that is the path to it (Vault: a TCP load balancer that routes to the
   * active; a test's proxy), and the nodes' own addresses may not be reachable, so secondaries keep to it.
   */
  advertisedAddrs(m: Mode): string[] {
    return this.state(m).primaryClusterAddr ? [] : this.clusterNodes.current();
  }

  /** A standby of an HA cluster (not active): serve nothing but where the active is (standby-redirect.ts). */
  serveStandby(): void {
    this.standby ??= new StandbyRedirect(this);
  }

  private async endStandby(): Promise<void> {
    const s = this.standby;
    this.standby = null;
    await s?.close();
  }

  // ---- the cluster listener (primary side) ----

  /** persist: false on a standby, which may not write (a certificate for its host is issued in memory). */
  async ensureListener(opts: { persist: boolean } = { persist: true }): Promise<void> {
    const ca = this.store.ca();
    if (!ca) throw new Error('replication CA missing');
    const cert = listenerCert(this.store, ca, this.opts.clusterAddr, opts.persist);
    if (this.listener) {
      if (this.listenerCreds !== ca.certPem + cert.certPem) {
        this.listener.updateCredentials({ caPem: ca.certPem, certPem: cert.certPem, keyPem: cert.keyPem });
        this.listenerCreds = ca.certPem + cert.certPem;
      }
      return;
    }
    const { host, port } = parseClusterAddr(this.opts.clusterAddr);
    this.listener = await startClusterListener({
      host: host === 'localhost' ? '127.0.0.1' : host,
      port,
      caPem: ca.certPem,
      certPem: cert.certPem,
      keyPem: cert.keyPem,
      authorize: (peer) => this.authorize(peer),
      onConnection: (conn, peer) => this.accept(conn, peer),
      onHandshakeError: (err, addr) => this.logger.warn({ err: err.message, remote: addr }, 'cluster handshake refused'),
    });
    this.listenerCreds = ca.certPem + cert.certPem;
    this.logger.info({ port: this.listener.port }, 'cluster listener started');
  }

  private modeOfAlpn(alpn: string): Mode | null {
    if (alpn === ALPN.dr) return 'dr';
    if (alpn === ALPN.perf || alpn === ALPN.forward) return 'performance';
    return null;
  }

  private authorize(peer: PeerIdentity): boolean {
    // The epoch exchange names its mode in its first frame; any set this node leads may be told.
    if (peer.alpn === ALPN.fence) return knownSecondary(this, null, peer);
    const mode = this.modeOfAlpn(peer.alpn);
    return mode !== null && knownSecondary(this, mode, peer);
  }

  private accept(conn: FrameConnection, peer: PeerIdentity): void {
    if (this.standby) return this.standby.accept(conn, peer);
    if (peer.alpn === ALPN.forward) {
      if (this.onForwardConnection) this.onForwardConnection(conn, peer);
      else conn.destroy();
      return;
    }
    if (peer.alpn === ALPN.fence) return void answerEpoch(this, conn, peer);
    const mode = this.modeOfAlpn(peer.alpn)!;
    const fence = supersession(this, mode);
    if (fence) {
      void conn.send({ type: 'refused', reason: fence.reason }).finally(() => conn.close());
      return;
    }
    this.streams[mode].get(peer.commonName)?.stop();
    const stream = new PrimaryStream(
      this.ctx,
      mode,
      conn,
      peer,
      () => this.state(mode).epoch,
      () => this.state(mode).clusterId,
      (hello) => claimRootKey(this, mode, peer, hello),
      () => confirmBootstrap(this, mode, peer),
    );
    this.streams[mode].set(peer.commonName, stream);
    this.changed();
    // A secondary that has followed a newer primary of this set says so in its hello.
    stream.onNewerEpoch = async (epoch) => void (await standDown(this, mode, this.state(mode).clusterId, epoch, `secondary "${peer.commonName}"`));
    stream.onHello = (apiAddress) => {
      const s = this.state(mode);
      if (s.secondaries.some((k) => k.id === peer.commonName && k.apiAddress !== apiAddress))
        this.save(mode, { ...s, secondaries: s.secondaries.map((k) => (k.id === peer.commonName ? { ...k, apiAddress } : k)) });
    };
    void stream.run().finally(() => {
      if (this.streams[mode].get(peer.commonName) === stream) this.changed();
    });
  }

  dropStream(m: Mode, id: string): void {
    this.streams[m].get(id)?.stop();
    this.listener?.dropPeer(id);
    this.changed();
  }

  dropAllStreams(m: Mode): void {
    for (const id of this.streams[m].keys()) this.dropStream(m, id);
    this.streams[m].clear();
  }

  async releaseListenerIfUnused(): Promise<void> {
    if (MODES.some((m) => this.state(m).mode === 'primary')) return;
    await this.listener?.close();
    this.listener = null;
  }

  // ---- the secondary side ----

  startSecondary(m: Mode): SecondaryRunner {
    void this.runners[m]?.stop();
    const runner = secondaryRunner(this, m);
    this.runners[m] = runner;
    const s = this.state(m);
    this.save(m, { ...s, lastStart: new Date().toISOString(), lastError: '' });
    return runner;
  }

  async stopSecondary(m: Mode): Promise<void> {
    const r = this.runners[m];
    delete this.runners[m];
    await r?.stop();
  }

}

import { KEYRING_PATH, SEAL_CONFIG_PATH } from '../barrier/barrier';
import type { Core } from '../core/core';
import { wrapTokenHash } from '../core/wrapping';
import type { Logger } from '../log';
import type { SqliteBackend } from '../storage/sqlite';
import { telemetry } from '../telemetry/metrics';
import { issueServerCert, type CaMaterial } from './ca';
import type { ReplicationContext } from './context';
import type { FrameOf } from './frames';
import { PrimaryStream } from './primary';
import { claimRootKey } from './root-key-claim';
import { SecondaryRunner } from './secondary';
import { MODES, ReplicationStore, type Mode, type ModeState } from './state';
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
}

export class ReplicationManager {
  readonly store: ReplicationStore;
  readonly ctx: ReplicationContext;
  private listener: ClusterListener | null = null;
  private listenerCa = '';
  readonly streams: Record<Mode, Map<string, PrimaryStream>> = { dr: new Map(), performance: new Map() };
  readonly runners: Partial<Record<Mode, SecondaryRunner>> = {};
  private readonly changeListeners = new Set<() => void>();
  onForwardConnection: ((conn: FrameConnection, peer: PeerIdentity) => void) | null = null;
  onShutdown: (() => void) | null = null;

  constructor(readonly opts: ManagerOptions) {
    this.store = new ReplicationStore(opts.physical, opts.core.barrier);
    this.ctx = {
      core: opts.core,
      physical: opts.physical,
      store: this.store,
      logger: opts.logger.child({ component: 'replication' }),
      apiAddr: opts.apiAddr,
      clusterAddr: opts.clusterAddr,
      devRootTokenId: opts.devRootTokenId,
    };
  }

  get logger(): Logger {
    return this.ctx.logger;
  }

  state(m: Mode): ModeState {
    return this.store.state(m);
  }

  save(m: Mode, s: ModeState): void {
    this.store.saveState(m, s);
    this.updateRoleGauges();
    this.changed();
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
    const scrubbed = this.store.scrubLegacyTokenIds(wrapTokenHash);
    if (scrubbed) this.logger.info({ scrubbed }, 'moved activation-token references behind the barrier');
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
    for (const m of MODES) await this.stopSecondary(m);
    for (const m of MODES) this.dropAllStreams(m);
    await this.listener?.close();
    this.listener = null;
  }

  reindex(): number {
    const n = this.opts.physical.reindexMerkle();
    this.changed();
    return n;
  }

  // ---- the cluster listener (primary side) ----

  async ensureListener(): Promise<void> {
    const ca = this.store.ca();
    const cert = this.store.serverCert();
    if (!ca || !cert) throw new Error('replication CA missing');
    if (this.listener) {
      if (this.listenerCa !== ca.certPem) {
        this.listener.updateCredentials({ caPem: ca.certPem, certPem: cert.certPem, keyPem: cert.keyPem });
        this.listenerCa = ca.certPem;
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
    this.listenerCa = ca.certPem;
    this.logger.info({ port: this.listener.port }, 'cluster listener started');
  }

  /** A server certificate for the cluster listener, valid for the names secondaries dial. */
  static serverCertFor(ca: CaMaterial, clusterAddr: string) {
    const { host } = parseClusterAddr(clusterAddr);
    return issueServerCert(ca, [...new Set([host, 'localhost', '127.0.0.1'])]);
  }

  private modeOfAlpn(alpn: string): Mode | null {
    if (alpn === ALPN.dr) return 'dr';
    if (alpn === ALPN.perf || alpn === ALPN.forward) return 'performance';
    return null;
  }

  private authorize(peer: PeerIdentity): boolean {
    const mode = this.modeOfAlpn(peer.alpn);
    if (!mode) return false;
    const s = this.state(mode);
    if (s.mode !== 'primary') return false;
    return s.secondaries.some((k) => k.id === peer.commonName && k.serial === peer.serial && !k.revoked);
  }

  private accept(conn: FrameConnection, peer: PeerIdentity): void {
    if (peer.alpn === ALPN.forward) {
      if (this.onForwardConnection) this.onForwardConnection(conn, peer);
      else conn.destroy();
      return;
    }
    const mode = this.modeOfAlpn(peer.alpn)!;
    if (this.state(mode).supersededBy) {
      void conn.send({ type: 'refused', reason: this.state(mode).lastError }).finally(() => conn.close());
      return;
    }
    this.streams[mode].get(peer.commonName)?.stop();
    const stream = new PrimaryStream(this.ctx, mode, conn, peer, () => this.state(mode).epoch, () => this.state(mode).clusterId, (needsBootstrap) => claimRootKey(this, mode, peer, needsBootstrap));
    this.streams[mode].set(peer.commonName, stream);
    this.changed();
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
    const runner = new SecondaryRunner({
      ctx: this.ctx,
      mode: m,
      bundle: () => this.store.bundle(m),
      primaryClusterAddr: () => this.state(m).primaryClusterAddrInUse,
      clusterId: () => this.state(m).clusterId,
      secondaryId: () => this.state(m).secondaryId,
      epoch: () => this.state(m).epoch,
      needsBootstrap: () => this.state(m).mode === 'bootstrapping',
      onBootstrap: (f) => this.applyBootstrap(m, f),
      onPrimaryInfo: (info) => {
        const s = this.state(m);
        if (s.primaryApiAddr !== info.apiAddr || s.epoch !== Math.max(s.epoch, info.epoch)) {
          this.save(m, { ...s, primaryApiAddr: info.apiAddr || s.primaryApiAddr, epoch: Math.max(s.epoch, info.epoch) });
        }
      },
      onRefusal: (reason) => this.save(m, { ...this.state(m), lastError: reason }),
      onApplied: (keys) => this.afterApply(keys),
      onSynced: () => this.afterSync(m),
    });
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

  /** A wiped secondary adopts the primary's seal config, keyring and root key. */
  private async applyBootstrap(m: Mode, f: FrameOf<'bootstrap'>): Promise<void> {
    const { core, physical } = this.opts;
    // Read with the old keyring, still loaded: re-sealed below with the primary's.
    const secrets = this.collectReplicationSecrets();
    physical.applyShipped([
      { op: 'put', key: SEAL_CONFIG_PATH, value: Buffer.from(f.sealConfig) },
      { op: 'put', key: KEYRING_PATH, value: Buffer.from(f.keyring, 'base64') },
    ]);
    await physical.flushed();
    core.seal.adoptRootKey(Buffer.from(f.rootKey, 'base64'));
    // Secrets kept under the old keyring (this node's own CA, bundles) are re-sealed with the new one.
    for (const [key, value] of secrets) core.barrier.put(key, value);
    this.pendingDevRootToken = f.devRootToken;
    this.save(m, { ...this.state(m), mode: 'secondary' });
    await physical.flushed();
  }

  private pendingDevRootToken = '';

  collectReplicationSecrets(): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    const { core, physical } = this.opts;
    for (const key of physical.keysUnder('core/replication/')) {
      if (/\/(state|position)$/.test(key)) continue; // plain JSON, not barrier-sealed
      try {
        const v = core.barrier.get(key);
        if (v) out.set(key, v);
      } catch {
        /* sealed with a keyring we no longer hold */
      }
    }
    return out;
  }

  private afterApply(keys: string[]): void {
    const { core } = this.opts;
    const all = keys.includes('*');
    if (all || keys.includes(KEYRING_PATH)) core.barrier.reloadKeyring();
    if (all || keys.some((k) => k.startsWith('core/mounts') || k.startsWith('core/auth') || k.startsWith('core/local-mounts') || k.startsWith('core/local-auth'))) core.mounts.load();
    if (all || keys.includes('core/token-salt')) core.tokens.reset();
    this.changed();
  }

  private async afterSync(m: Mode): Promise<void> {
    const { core } = this.opts;
    if (this.pendingDevRootToken && this.ctx.devRootTokenId && !core.tokens.lookup(this.pendingDevRootToken)) {
      // Seed 003: in dev mode the primary's initial root token works on the secondary too.
      core.tokens.create({ policies: ['root'], path: 'auth/token/root', displayName: 'root', id: this.pendingDevRootToken });
    }
    this.pendingDevRootToken = '';
    await this.opts.physical.flushed();
    this.logger.info({ mode: m }, 'secondary in sync with its primary');
    this.changed();
  }
}

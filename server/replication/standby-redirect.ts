import { FrameQueue } from './frame-queue';
import type { ReplicationManager } from './manager';
import { answerNotActive } from './not-active';
import { MODES, statePath } from './state';
import { ALPN, type FrameConnection, type PeerIdentity } from './transport';

// A standby of an HA cluster that is a replication primary keeps its cluster
// port open, with the same CA and known secondaries as the active (they come
// through the HA log), only to tell a secondary that reaches it where the
// active is (not-active.ts). It never streams, bootstraps or forwards: those
// run on the active alone. The listener follows the stored roles: it opens
// when a mode becomes primary and closes when none is.

/** Keys whose change may open, close or re-certify the standby's listener. */
const WATCHED = [...MODES.map(statePath), 'core/replication/ca', 'core/replication/server-cert'];

export class StandbyRedirect {
  private readonly unsubscribe: () => void;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly mgr: ReplicationManager) {
    this.unsubscribe = mgr.opts.physical.changes.subscribe('core/replication/', (keys) => {
      if (keys === null || keys.some((k) => WATCHED.includes(k))) this.follow();
    });
    mgr.clusterNodes.start();
    this.follow();
  }

  /** Re-check the stored roles, one check at a time. */
  private follow(): void {
    this.chain = this.chain.then(async () => {
      if (this.closed) return;
      try {
        const primary = MODES.some((m) => this.mgr.store.mode(m) === 'primary');
        if (primary && this.mgr.store.ca()) await this.mgr.ensureListener({ persist: false });
        else await this.mgr.releaseListenerIfUnused();
      } catch (err) {
        this.mgr.logger.warn({ err: (err as Error).message }, 'standby cluster listener not updated');
      }
    });
  }

  /** A secondary reached this standby: name the active. Anything else on the cluster port is the active's business. */
  accept(conn: FrameConnection, peer: PeerIdentity): void {
    if (peer.alpn !== ALPN.perf && peer.alpn !== ALPN.dr) return void conn.destroy();
    const mode = peer.alpn === ALPN.dr ? 'dr' : 'performance';
    // Behind a primary_cluster_addr (a load balancer) the active is reached through it again.
    const active = this.mgr.state(mode).primaryClusterAddr || this.mgr.clusterNodes.activeAddr();
    void answerNotActive(conn, new FrameQueue(conn, 'secondary'), active, this.mgr.advertisedAddrs(mode));
  }

  /** Stop following the roles; the caller closes or reuses the listener. */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    await this.chain;
  }
}

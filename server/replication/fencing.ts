import { fenceOp, isFenced, type FenceRecord } from '../storage/write-fence';
import type { StorageOp } from '../storage/backend';
import type { KeyClass } from '../storage/key-class';
import { shipsClass } from './context';
import { FrameQueue } from './frame-queue';
import type { ReplicationManager } from './manager';
import { KIND } from './mode-transitions';
import { MODES, type Mode } from './state';
import { ALPN, dialCluster, TransportError, type FrameConnection, type PeerIdentity } from './transport';

// Never two primaries (issue 8 item 6). Enforcement is storage's: each leader
// stores the epoch it leads at, and a client write is refused while a member
// of the set has told it a newer one (storage/write-fence.ts). This file is
// how it is told, only ever over the mutually authenticated cluster port.
//
// The epoch exchange. Which side dials whom: the promoted primary dials its
// former primary, every EPOCH_EXCHANGE_INTERVAL_MS, for as long as it leads.
// It keeps the bundle it held as that primary's secondary (state.ts
// formerPrimaryCredentials): its client certificate is issued by the former
// primary's CA and is still in that primary's list of known secondaries, so
// the former primary's listener authenticates it (mTLS, CN + serial), and it
// authenticates the listener's certificate against that same CA. The dialer
// sends, on ALPN `replication_fence_v1`:
//     { type: 'epoch', mode, clusterId, epoch, apiAddr, clusterAddr }
// and the former primary — if it is still primary of that set at a lower
// epoch — stores `seen = epoch` (from that instant its storage refuses client
// writes of the classes the set ships), drops its secondaries, and answers:
//     { type: 'epoch-ack', clusterMode, clusterId, epoch, fenced }
// from which the new primary keeps `stale_primary_warning` while the old one
// still calls itself primary. A frozen primary is told within one interval of
// waking (the dial waits in its accept queue). The same comparison runs when a
// secondary's hello names a newer epoch than its primary's (primary.ts).
export const EPOCH_EXCHANGE_INTERVAL_MS = 1_000;
export const EPOCH_EXCHANGE_TIMEOUT_MS = 5_000;

/** What a superseded leader of this mode's set must no longer write: what the set ships. */
const classesOf = (m: Mode): KeyClass[] => (shipsClass(m, 'local') ? ['replicated', 'local'] : ['replicated']);

/** The fence record a leader writes with the role change that makes it one (enable, promote). */
export function leaderFenceOp(m: Mode, epoch: number): StorageOp {
  return fenceOp(m, { own: epoch, seen: epoch, classes: classesOf(m), by: '', reason: '' });
}

/** …and the removal that goes with leaving the role (demote, disable). */
export const releaseFenceOp = (m: Mode): StorageOp => fenceOp(m, null);

/** This node's fence for the mode, if a newer leader superseded it. */
export function supersession(mgr: ReplicationManager, m: Mode): FenceRecord | null {
  const r = mgr.opts.physical.fence.record(m);
  return isFenced(r) ? r : null;
}

/**
 * A member of the set said it leads at `epoch`. If this node is that set's
 * primary at a lower epoch, its storage refuses client writes from the commit
 * of this record on, until demote or disable removes it. True if it is fenced.
 */
export async function standDown(mgr: ReplicationManager, m: Mode, clusterId: string, epoch: number, by: string): Promise<boolean> {
  const s = mgr.state(m);
  if (s.mode !== 'primary' || clusterId !== s.clusterId) return false;
  const { physical } = mgr.opts;
  const now = physical.fence.record(m) ?? { own: s.epoch, seen: s.epoch, classes: [], by: '', reason: '' };
  if (epoch <= now.own || epoch <= now.seen) return isFenced(now);
  const reason =
    `this cluster was superseded as ${KIND[m]} primary: a promoted cluster leads its replication set at epoch ${epoch} (this cluster: epoch ${now.own}; told by ${by}). ` +
    `Writes here would be lost, so they are refused until this cluster is demoted (sys/replication/${m}/primary/demote) and re-joined with update-primary`;
  physical.transaction([fenceOp(m, { ...now, seen: epoch, classes: classesOf(m), by, reason })]);
  await physical.flushed();
  mgr.logger.error({ mode: m, by, epoch, own: now.own }, 'superseded by a newer primary of this replication set: client writes are refused');
  mgr.dropAllStreams(m);
  mgr.changed();
  return true;
}

/** Listener side: a (former) secondary tells this node who leads now. */
export async function answerEpoch(mgr: ReplicationManager, conn: FrameConnection, peer: PeerIdentity): Promise<void> {
  try {
    const f = await new FrameQueue(conn).expect('epoch', EPOCH_EXCHANGE_TIMEOUT_MS);
    const s = mgr.state(f.mode);
    // Any set this node leads: a DR secondary that took over the performance set (set-takeover.ts) tells it about both.
    if (!knownSecondary(mgr, null, peer)) {
      await conn.send({ type: 'refused', reason: `peer "${peer.commonName}" is not a known ${KIND[f.mode]} secondary of this cluster` });
    } else {
      const fenced = await standDown(mgr, f.mode, f.clusterId, f.epoch, f.apiAddr || f.clusterAddr);
      await conn.send({ type: 'epoch-ack', clusterMode: s.mode, clusterId: s.clusterId, epoch: s.epoch, fenced });
    }
    await conn.close();
  } catch (err) {
    mgr.logger.warn({ peer: peer.commonName, err: (err as Error).message }, 'epoch exchange failed');
    conn.destroy();
  }
}

/** Is this peer a known, unrevoked secondary of a mode this node leads? (the listener's authorize for the fence ALPN) */
export function knownSecondary(mgr: ReplicationManager, m: Mode | null, peer: PeerIdentity): boolean {
  return (m ? [m] : MODES).some((mode) => {
    const s = mgr.state(mode);
    return s.mode === 'primary' && s.secondaries.some((k) => k.id === peer.commonName && k.serial === peer.serial && !k.revoked);
  });
}

/** Dialer side: a promoted primary tells its former primary, and reports what that one says it is. */
async function tellFormerPrimary(mgr: ReplicationManager, m: Mode): Promise<void> {
  const s = mgr.state(m);
  // After a DR failover that took over the performance set, the DR bundle is the credential for both.
  const creds = mgr.store.formerPrimaryCredentials(m) ?? mgr.store.formerPrimaryCredentials('dr');
  if (s.mode !== 'primary' || !s.formerPrimaryClusterAddr || !creds) return;
  let warning = s.stalePrimaryWarning;
  try {
    const conn = await dialCluster({
      addr: s.formerPrimaryClusterAddr,
      caPem: creds.caCert,
      certPem: creds.clientCert,
      keyPem: creds.clientKey,
      alpn: ALPN.fence,
      timeoutMs: EPOCH_EXCHANGE_TIMEOUT_MS,
    });
    try {
      await conn.send({ type: 'epoch', mode: m, clusterId: s.clusterId, epoch: s.epoch, apiAddr: mgr.opts.apiAddr, clusterAddr: mgr.opts.clusterAddr });
      const ack = await new FrameQueue(conn).expect('epoch-ack', EPOCH_EXCHANGE_TIMEOUT_MS);
      const stale = ack.clusterMode === 'primary' && ack.clusterId === s.clusterId && ack.epoch < s.epoch;
      warning = stale
        ? `former primary at ${s.formerPrimaryApiAddr || s.formerPrimaryClusterAddr} is running as primary again without being demoted (epoch ${ack.epoch} < ${s.epoch}); ` +
          `${ack.fenced ? 'it was told over the cluster port and refuses client writes' : 'it has not stood down'} — demote it`
        : '';
    } finally {
      conn.destroy();
    }
  } catch (err) {
    // Refused by its listener (we are no longer a known secondary there), or nothing listening: it is not running as that primary.
    // A timeout (frozen, partitioned) proves nothing: keep what we knew.
    const gone = err instanceof TransportError && (err.reason === 'refused' || /ECONNREFUSED/.test(String((err.cause as Error)?.message ?? err.message)));
    if (gone) warning = '';
    else mgr.logger.debug({ mode: m, err: (err as Error).message }, 'epoch exchange with the former primary failed');
  }
  const now = mgr.state(m);
  if (now.mode === 'primary' && now.stalePrimaryWarning !== warning) mgr.save(m, { ...now, stalePrimaryWarning: warning });
}

const inFlight = new WeakMap<ReplicationManager, Set<Mode>>();

/** One exchange now, unless one is in flight for this mode (a promotion calls this at once, not at the next tick). */
export function tellFormerPrimarySoon(mgr: ReplicationManager, m: Mode): void {
  const busy = inFlight.get(mgr) ?? new Set<Mode>();
  inFlight.set(mgr, busy);
  if (busy.has(m) || mgr.opts.core.barrier.sealed) return;
  busy.add(m);
  tellFormerPrimary(mgr, m)
    .catch((err) => mgr.logger.warn({ mode: m, err }, 'epoch exchange failed'))
    .finally(() => busy.delete(m));
}

/** Run the dialer side while this node leads a set it was promoted into. */
export function startEpochExchange(mgr: ReplicationManager): () => void {
  const timer = setInterval(() => {
    for (const m of MODES) tellFormerPrimarySoon(mgr, m);
  }, EPOCH_EXCHANGE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

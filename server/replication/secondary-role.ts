import { bootstrapOps } from './bootstrap-apply';
import type { FrameOf } from './frames';
import type { ReplicationManager } from './manager';
import { SecondaryRunner } from './secondary';
import type { Mode } from './state';

// The secondary side of one mode: the run loop (secondary.ts) wired to this
// node's stored state, and what a bootstrap and a completed sync do here.

export function secondaryRunner(mgr: ReplicationManager, m: Mode): SecondaryRunner {
  /** Seed 003: the primary's dev root token, created here once the first sync brought the token store's mount. */
  let devRootToken = '';
  return new SecondaryRunner({
    ctx: mgr.ctx,
    mode: m,
    bundle: () => mgr.store.bundle(m),
    primaryClusterAddr: () => mgr.state(m).primaryClusterAddrInUse,
    clusterId: () => mgr.state(m).clusterId,
    secondaryId: () => mgr.state(m).secondaryId,
    epoch: () => mgr.state(m).epoch,
    needsBootstrap: () => mgr.state(m).mode === 'bootstrapping',
    bootstrapNonce: () => mgr.store.bootstrapNonce(m),
    onBootstrap: async (f) => {
      await adoptPrimaryKeys(mgr, m, f);
      devRootToken = f.devRootToken;
    },
    onPrimaryInfo: (info) => {
      if (info.epoch > mgr.state(m).epoch) mgr.transition(m, { type: 'epoch-seen', epoch: info.epoch });
      const s = mgr.state(m);
      if (info.apiAddr && s.primaryApiAddr !== info.apiAddr) mgr.save(m, { ...s, primaryApiAddr: info.apiAddr });
    },
    knownPrimaryClusterAddrs: () => mgr.state(m).knownPrimaryClusterAddrs,
    // Stored with the replication state (through the HA log on an HA secondary): a new active of this cluster dials from it.
    onPrimaryAddrs: (inUse, known) => {
      const s = mgr.state(m);
      const same = s.primaryClusterAddrInUse === inUse && s.knownPrimaryClusterAddrs.join(',') === known.join(',');
      if (!same && s.mode !== 'disabled') mgr.save(m, { ...s, primaryClusterAddrInUse: inUse, knownPrimaryClusterAddrs: known });
    },
    onRefusal: (reason) => mgr.save(m, { ...mgr.state(m), lastError: reason }),
    // Caches follow applied keys by themselves (storage's change bus); only the status feed is told here.
    onApplied: () => mgr.changed(),
    onSynced: async () => {
      const { core } = mgr.opts;
      // A DR secondary received the primary's tokens (and writes none itself).
      if (m === 'performance' && devRootToken && mgr.ctx.devRootTokenId && !core.tokens.lookup(devRootToken)) {
        core.tokens.create({ policies: ['root'], path: 'auth/token/root', displayName: 'root', id: devRootToken });
      }
      devRootToken = '';
      await mgr.opts.physical.flushed();
      mgr.crash('synced');
      mgr.logger.info({ mode: m }, 'secondary in sync with its primary');
      mgr.changed();
    },
  });
}

/** A wiped secondary adopts the primary's seal config, keyring and root key: one applier transaction (bootstrap-apply.ts). */
async function adoptPrimaryKeys(mgr: ReplicationManager, m: Mode, f: FrameOf<'bootstrap'>): Promise<void> {
  const { core, physical } = mgr.opts;
  const { ops, rootKey } = bootstrapOps(mgr, m, f); // read with the keyring this node has now
  mgr.crash('bootstrap-received');
  mgr.transition(m, { type: 'bootstrapped' }, ops, (o) => physical.applyShipped(o));
  await physical.flushed();
  mgr.crash('bootstrap-committed');
  core.seal.adoptRootKey(rootKey); // opens the keyring just committed
  rootKey.fill(0);
}

import type { Core, CoreWiring } from '../core/core';
import { builtinRoutes } from '../engines/sys';
import { invalidWrapToken } from '../core/wrapping';
import type { Logger } from '../log';
import type { CrashPoint } from './crash-points';
import type { SqliteBackend } from '../storage/sqlite';
import { verifyActivationToken } from './activation-token';
import { drOperationGeneration } from './dr-operation';
import { startEpochExchange } from './fencing';
import { ForwardClient, serveForwarding } from './forward';
import { drSecondaryGate, forwardOnReadOnly, perfSecondaryGate } from './gate';
import { ReplicationManager } from './manager';
import { replicationRoutes } from './routes';
import { startTelemetrySampler } from './telemetry-sampler';
import { followStoredRoles } from './write-mode';

/**
 * Replication's part of a node's core: its routes, gates, forwarding of what
 * storage refuses, unwrap of JWT activation tokens — handed to the Core
 * constructor once (CoreWiring), never patched in later — plus the manager,
 * started and stopped with the seal.
 */
export function wireReplication(
  core: Core,
  physical: SqliteBackend,
  opts: { logger: Logger; apiAddr: string; clusterAddr: string; crashPoint?: CrashPoint },
): { manager: ReplicationManager; wiring: CoreWiring } {
  const mgr = new ReplicationManager({ core, physical, logger: opts.logger, apiAddr: opts.apiAddr, clusterAddr: opts.clusterAddr, devRootTokenId: '', crashPoint: opts.crashPoint });
  // Becoming (or ceasing to be) a DR secondary turns token expiry off (or on).
  mgr.onChange(() => core.expiration.refresh());
  const forwarder = new ForwardClient(mgr);
  // Who may write follows the stored roles; what storage refuses on a performance secondary is forwarded.
  const stopFollowing = followStoredRoles(physical);
  mgr.onForwardConnection = (conn) => serveForwarding(core, conn);
  const stopProbe = startEpochExchange(mgr);
  const stopSampler = startTelemetrySampler(mgr);
  // On a standby of an HA cluster the manager waits: the HA runtime starts it when this node becomes active.
  core.unsealListeners.push(() => {
    if (core.opts.ha?.writesHere() ?? true) void mgr.start().catch((err) => mgr.logger.error({ err }, 'replication failed to start'));
    else mgr.serveStandby();
  });
  core.sealListeners.push(() => {
    forwarder.close();
    void mgr.stop();
  });
  mgr.onShutdown = () => {
    stopFollowing();
    stopProbe();
    stopSampler();
    forwarder.close();
  };
  const wiring: CoreWiring = {
    builtinRoutes: builtinRoutes(replicationRoutes(mgr, drOperationGeneration(core, mgr.store))),
    replicationModes: () => mgr.modes(),
    preAuthGates: [drSecondaryGate(mgr)],
    gates: [perfSecondaryGate(mgr, forwarder)],
    onReadOnly: forwardOnReadOnly(mgr, forwarder),
    jwtWrappingToken: async (jwt) => {
      const key = mgr.store.signingKey();
      if (!key) throw invalidWrapToken();
      return (await verifyActivationToken(key.publicJwk, jwt)).jti;
    },
  };
  return { manager: mgr, wiring };
}

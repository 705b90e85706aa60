import type { Core } from '../core/core';
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

/** Wire replication into a node's core: routes, gates, unwrap of JWT tokens, start/stop with the seal. */
export function installReplication(core: Core, physical: SqliteBackend, opts: { logger: Logger; apiAddr: string; clusterAddr: string; crashPoint?: CrashPoint }): ReplicationManager {
  const mgr = new ReplicationManager({ core, physical, logger: opts.logger, apiAddr: opts.apiAddr, clusterAddr: opts.clusterAddr, devRootTokenId: '', crashPoint: opts.crashPoint });
  core.setBuiltinRoutes(builtinRoutes(replicationRoutes(mgr, drOperationGeneration(core, mgr.store))));
  core.replicationModes = () => mgr.modes();
  // Becoming (or ceasing to be) a DR secondary turns token expiry off (or on).
  mgr.onChange(() => core.expiration.refresh());
  core.preAuthGates.push(drSecondaryGate(mgr));
  const forwarder = new ForwardClient(mgr);
  core.gates.push(perfSecondaryGate(mgr, forwarder));
  // Who may write follows the stored roles; what storage refuses on a performance secondary is forwarded.
  const stopFollowing = followStoredRoles(physical);
  core.onReadOnly = forwardOnReadOnly(mgr, forwarder);
  mgr.onForwardConnection = (conn) => serveForwarding(core, conn);
  core.jwtWrappingToken = async (jwt) => {
    const key = mgr.store.signingKey();
    if (!key) throw invalidWrapToken();
    return (await verifyActivationToken(key.publicJwk, jwt)).jti;
  };
  const stopProbe = startEpochExchange(mgr);
  const stopSampler = startTelemetrySampler(mgr);
  core.unsealListeners.push(() => void mgr.start().catch((err) => mgr.logger.error({ err }, 'replication failed to start')));
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
  return mgr;
}

import type { HealthResponse } from '../../../lib/types/cluster-status';
import type { Core } from '../../core/core';
import type { Route } from '../../core/route';
import { VERSION } from '../../core/seal-manager';
import { badRequest } from '../../errors';
import { rawJson } from './respond';

// sys/health as Vault answers it (vault http/sys_health.go): one status code
// per state, each overridable by a query parameter, checked in Vault's order —
// uninitialized, removed from the raft cluster, sealed, a standby whose
// heartbeat to the cluster fails, DR secondary, performance standby, standby.

const HEALTH_DEFAULTS = {
  activecode: 200,
  standbycode: 429,
  drsecondarycode: 472,
  performancestandbycode: 473,
  perfstandbycode: 473,
  haunhealthycode: 474,
  removedcode: 530,
  sealedcode: 503,
  uninitcode: 501,
};

function flag(query: Record<string, string>, name: string): boolean {
  const v = query[name];
  return v !== undefined && (v === '' || v === 'true' || v === '1');
}

function healthCode(query: Record<string, string>, name: keyof typeof HEALTH_DEFAULTS): number {
  const v = query[name];
  if (v === undefined) return HEALTH_DEFAULTS[name];
  const n = Number(v);
  if (!Number.isInteger(n) || n < 100 || n > 599) throw badRequest(`invalid value for ${name}: ${v}`);
  return n;
}

export function healthOf(core: Core, query: Record<string, string>): { status: number; body: HealthResponse } {
  // A node that joined a raft cluster and waits for its unseal keys is initialized (its cluster is), as in Vault.
  const initialized = core.barrier.initialized() || core.seal.pendingJoin !== null;
  const sealed = core.barrier.sealed;
  const modes = core.replicationModes();
  const slot = core.opts.ha;
  const role = slot?.runtime?.role;
  const removed = slot?.removedFromCluster;
  const link = slot?.runtime?.haConnection?.() ?? null;
  const perfStandby = role === 'standby' && (slot?.performanceStandby ?? true);
  // A plain standby (disable_performance_standby), or one taking over (applying up to etcd's tip): it serves nothing itself.
  const plainStandby = role === 'promoting' || (role === 'standby' && !perfStandby);
  let status = healthCode(query, 'activecode');
  if (!initialized) status = healthCode(query, 'uninitcode');
  else if (removed) status = healthCode(query, 'removedcode');
  else if (sealed) status = healthCode(query, 'sealedcode');
  else if (link && !link.healthy) status = healthCode(query, 'haunhealthycode');
  else if (modes.dr === 'secondary') status = healthCode(query, 'drsecondarycode');
  // A performance standby serves reads: 473 unless perfstandbyok (standbyok does not cover it, as in Vault).
  else if (perfStandby) status = flag(query, 'perfstandbyok') ? status : query.performancestandbycode !== undefined ? healthCode(query, 'performancestandbycode') : healthCode(query, 'perfstandbycode');
  else if (plainStandby) status = flag(query, 'standbyok') ? status : healthCode(query, 'standbycode');
  return {
    status,
    body: {
      initialized,
      sealed,
      standby: perfStandby || plainStandby,
      performance_standby: perfStandby,
      replication_performance_mode: modes.performance,
      replication_dr_mode: modes.dr,
      server_time_utc: Math.floor(Date.now() / 1000),
      version: VERSION,
      enterprise: false,
      cluster_name: core.opts.clusterName,
      cluster_id: sealed ? '' : core.clusterId(),
      echo_duration_ms: 0,
      clock_skew_ms: 0,
      // Vault sends these only where they mean something: integrated storage, a standby's link.
      ...(removed !== undefined ? { removed_from_cluster: removed } : {}),
      ...(link ? { ha_connection_healthy: link.healthy, last_request_forwarding_heartbeat_ms: link.lastHeartbeatMs } : {}),
    },
  };
}

export const healthRoutes: Route<Core>[] = [
  {
    pattern: 'sys/health',
    unauthenticated: true,
    whileSealed: true,
    ops: {
      read: ({ core, req }) => {
        const h = healthOf(core, req.query);
        return rawJson(h.body, h.status);
      },
    },
  },
];

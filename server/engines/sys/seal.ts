import type { HealthResponse } from '../../../lib/types/cluster-status';
import type { Core } from '../../core/core';
import type { Route } from '../../core/route';
import { VERSION } from '../../core/seal-manager';
import { badRequest } from '../../errors';
import { bool, int, noContent, rawJson } from './respond';

// sys/init, sys/seal-status, sys/unseal, sys/seal, sys/health, sys/leader,
// sys/rotate, sys/key-status.
const HEALTH_DEFAULTS = { activecode: 200, standbycode: 429, drsecondarycode: 472, performancestandbycode: 473, sealedcode: 503, uninitcode: 501 };

function healthCode(query: Record<string, string>, name: keyof typeof HEALTH_DEFAULTS): number {
  const v = query[name];
  if (v === undefined) return HEALTH_DEFAULTS[name];
  const n = Number(v);
  if (!Number.isInteger(n) || n < 100 || n > 599) throw badRequest(`invalid value for ${name}: ${v}`);
  return n;
}

export function healthOf(core: Core, query: Record<string, string>): { status: number; body: HealthResponse } {
  const initialized = core.barrier.initialized();
  const sealed = core.barrier.sealed;
  const modes = core.replicationModes();
  let status = healthCode(query, 'activecode');
  if (!initialized) status = healthCode(query, 'uninitcode');
  else if (sealed) status = healthCode(query, 'sealedcode');
  else if (modes.dr === 'secondary') status = healthCode(query, 'drsecondarycode');
  return {
    status,
    body: {
      initialized,
      sealed,
      standby: false,
      performance_standby: false,
      replication_performance_mode: modes.performance,
      replication_dr_mode: modes.dr,
      server_time_utc: Math.floor(Date.now() / 1000),
      version: VERSION,
      enterprise: false,
      cluster_name: core.opts.clusterName,
      cluster_id: sealed ? '' : core.clusterId(),
      echo_duration_ms: 0,
      clock_skew_ms: 0,
    },
  };
}

export const sealRoutes: Route<Core>[] = [
  {
    pattern: 'sys/init',
    unauthenticated: true,
    whileSealed: true,
    ops: {
      read: ({ core }) => rawJson({ initialized: core.barrier.initialized() }),
      update: async ({ core, data }) => {
        const res = await core.seal.init({ secret_shares: int(data, 'secret_shares', 5), secret_threshold: int(data, 'secret_threshold', 3) });
        return rawJson(res);
      },
    },
  },
  {
    pattern: 'sys/seal-status',
    unauthenticated: true,
    whileSealed: true,
    ops: { read: ({ core }) => rawJson(core.sealStatus()) },
  },
  {
    pattern: 'sys/unseal',
    unauthenticated: true,
    whileSealed: true,
    ops: {
      update: async ({ core, data }) => {
        if (bool(data, 'reset')) core.seal.resetUnseal();
        else if (data.key === undefined) throw badRequest("'key' must be specified in request body as JSON, or 'reset' set to true");
        else await core.seal.unseal(data.key);
        return rawJson(core.sealStatus());
      },
    },
  },
  {
    pattern: 'sys/seal',
    sudo: true,
    ops: {
      update: ({ core }) => {
        core.seal.seal();
        return noContent();
      },
    },
  },
  {
    pattern: 'sys/step-down',
    sudo: true,
    ops: { update: () => noContent() },
  },
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
  {
    pattern: 'sys/leader',
    unauthenticated: true,
    ops: {
      read: ({ core }) =>
        rawJson({
          ha_enabled: false,
          is_self: true,
          active_time: '0001-01-01T00:00:00Z',
          leader_address: core.opts.apiAddr,
          leader_cluster_address: core.opts.clusterAddr,
          performance_standby: false,
          performance_standby_last_remote_wal: 0,
        }),
    },
  },
  {
    pattern: 'sys/rotate',
    sudo: true,
    ops: {
      update: ({ core }) => {
        // Vault refuses (vault/logical_system.go handleRotate): the keyring is its primary's.
        // Storage would refuse the write anyway; forwarding it would rotate the primary instead.
        const perf = core.replicationModes().performance;
        if (perf === 'secondary' || perf === 'bootstrapping') throw badRequest('cannot rotate on a replication secondary');
        core.barrier.rotate();
        return noContent();
      },
    },
  },
  {
    pattern: 'sys/key-status',
    ops: {
      read: ({ core, req }) => {
        const s = core.barrier.keyStatus();
        const data = { term: s.term, install_time: s.installTime, encryptions: 0 };
        return { raw: { status: 200, body: { ...data, request_id: req.id, data } } };
      },
    },
  },
];

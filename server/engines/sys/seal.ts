import type { HealthResponse } from '../../../lib/types/cluster-status';
import type { Core } from '../../core/core';
import type { Route } from '../../core/route';
import { VERSION } from '../../core/seal-manager';
import { badRequest } from '../../errors';
import { bool, int, noContent, rawJson } from './respond';

// sys/init, sys/seal-status, sys/unseal, sys/seal, sys/health, sys/rotate,
// sys/key-status (sys/leader, sys/ha-status, sys/step-down: ha.ts).
const HEALTH_DEFAULTS = { activecode: 200, standbycode: 429, drsecondarycode: 472, performancestandbycode: 473, perfstandbycode: 473, sealedcode: 503, uninitcode: 501 };

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
  const initialized = core.barrier.initialized();
  const sealed = core.barrier.sealed;
  const modes = core.replicationModes();
  const role = core.opts.ha?.runtime?.role;
  const perfStandby = role === 'standby' && (core.opts.ha?.performanceStandby ?? true);
  // A plain standby (disable_performance_standby), or one taking over (applying up to etcd's tip): it serves nothing itself.
  const plainStandby = role === 'promoting' || (role === 'standby' && !perfStandby);
  let status = healthCode(query, 'activecode');
  if (!initialized) status = healthCode(query, 'uninitcode');
  else if (sealed) status = healthCode(query, 'sealedcode');
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
        const params = { secret_shares: int(data, 'secret_shares', 5), secret_threshold: int(data, 'secret_threshold', 3) };
        // In an HA cluster the init is a write to the cluster: this node takes the writer's role for it.
        const rt = core.opts.ha?.runtime;
        const res = rt ? await rt.withInitLeadership(() => core.seal.init(params)) : await core.seal.init(params);
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

import type { Core } from '../../core/core';
import type { Route } from '../../core/route';
import { badRequest } from '../../errors';
import { bool, int, noContent, rawJson } from './respond';

// sys/init, sys/seal-status, sys/unseal, sys/seal, sys/rotate, sys/key-status
// (sys/health: health.ts; sys/leader, sys/ha-status, sys/step-down: ha.ts).

export const sealRoutes: Route<Core>[] = [
  {
    pattern: 'sys/init',
    unauthenticated: true,
    whileSealed: true,
    ops: {
      // A node that joined a raft cluster and waits for its unseal keys is initialized: its cluster is (as in Vault).
      read: ({ core }) => rawJson({ initialized: core.barrier.initialized() || core.seal.pendingJoin !== null }),
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

import type { HealthResponse } from '../../lib/types/cluster-status';
import type { FeedHealth } from '../../lib/types/replication-feed';
import type { Core } from '../core/core';
import { healthOf } from '../engines/sys/health';
import type { StatusSource } from '../http/status-feed';
import type { ReplicationManager } from './manager';
import { replicationStatus } from './status';

function withoutClock(health: HealthResponse): FeedHealth {
  const { server_time_utc: _clock, last_request_forwarding_heartbeat_ms: _beat, ...rest } = health;
  return rest;
}

/** What the live status feed shows for this node: the same bodies as the unauthenticated endpoints. */
export function clusterStatusSource(core: Core, mgr: ReplicationManager): StatusSource {
  return {
    snapshot: () => ({
      cluster: { name: core.opts.clusterName, id: core.barrier.sealed ? '' : core.clusterId(), apiAddr: core.opts.apiAddr },
      // server_time_utc (and a standby's ms since its heartbeat) move every second; left in, they would push a health delta to every subscriber each second.
      health: withoutClock(healthOf(core, {}).body),
      seal: core.sealStatus(),
      replication: replicationStatus(mgr),
      // The nodes of this node's HA cluster; null on a single node (server/ha/ha-feed-nodes.ts).
      ha: core.opts.ha?.runtime?.feedNodes?.() ?? null,
    }),
    onChange: (listener) => {
      const off = mgr.onChange(listener);
      const offHa = core.opts.ha?.onChange(listener);
      core.unsealListeners.push(listener);
      core.sealListeners.push(listener);
      return () => {
        off();
        offHa?.();
        for (const list of [core.unsealListeners, core.sealListeners]) {
          const i = list.indexOf(listener);
          if (i >= 0) list.splice(i, 1);
        }
      };
    },
  };
}

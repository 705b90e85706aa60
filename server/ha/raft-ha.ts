import type { Core } from '../core/core';
import type { Logger } from '../log';
import type { ReplicationManager } from '../replication/manager';
import type { SqliteBackend } from '../storage/sqlite';
import { MAX_REQUEST_BYTES, MAX_TXN_OPS } from './etcd-member';
import { HaLog } from './ha-log';
import { startHaRuntime } from './ha-runtime';
import type { StartHa } from './raft-cluster';

// The HA runtime on a supervised member (ha-design: MEMBERSHIP calls
// startHaRuntime with the member's client). The HA log is opened with the
// limits the member runs with (etcd-member.ts), so a batch may be as large as
// the member accepts; a lone node's first runtime seeds the empty prefix from
// its SQLite when it becomes active (HaLog.lead).

/** Headroom under --max-request-bytes for the txn's own framing. */
const REQUEST_MARGIN_BYTES = 64 * 1024;

export function supervisedHa(node: { core: Core; storage: SqliteBackend; replication: ReplicationManager; nodeId: string; apiAddr: string; clusterAddr: string; logger: Logger }): StartHa {
  return async (client, { prefix }) => {
    const log = await HaLog.open({ client, prefix, storage: node.storage, logger: node.logger, limits: { maxOps: MAX_TXN_OPS, maxBytes: MAX_REQUEST_BYTES - REQUEST_MARGIN_BYTES } });
    const rt = await startHaRuntime({ client, prefix, nodeId: node.nodeId, apiAddr: node.apiAddr, clusterAddr: node.clusterAddr, storage: node.storage, core: node.core, replication: node.replication, logger: node.logger, log });
    let closed: Promise<void> | undefined;
    return {
      close: () => (closed ??= rt.close()),
      activeApiAddr: () => rt.leaderStatus().leader_address || undefined,
    };
  };
}

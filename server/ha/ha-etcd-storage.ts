import type { EtcdStorageConfig } from '../config-etcd';
import type { Core } from '../core/core';
import type { Logger } from '../log';
import type { ReplicationManager } from '../replication/manager';
import type { SqliteBackend } from '../storage/sqlite';
import { EtcdClient } from './etcd-client';
import { startHaRuntime, type HaRuntime } from './ha-runtime';

// storage "etcd": this node joins the HA cluster whose log lives in the
// user's etcd cluster (config-etcd.ts), through the same runtime a supervised
// raft member uses.

/** An etcd call that takes longer than this counts as failed (the election's keepalives have their own, shorter deadline). */
const ETCD_CALL_TIMEOUT_MS = 5_000;

export interface EtcdStorageNode {
  core: Core;
  replication: ReplicationManager;
  storage: SqliteBackend;
}

export async function startEtcdStorageHa(node: EtcdStorageNode, cfg: EtcdStorageConfig, self: { nodeId: string; apiAddr: string; clusterAddr: string; logger: Logger }): Promise<HaRuntime> {
  const client = new EtcdClient({ endpoints: cfg.endpoints, tls: cfg.tls, timeoutMs: ETCD_CALL_TIMEOUT_MS });
  try {
    return await startHaRuntime({
      client,
      prefix: cfg.prefix,
      nodeId: self.nodeId,
      apiAddr: self.apiAddr,
      clusterAddr: self.clusterAddr,
      storage: node.storage,
      core: node.core,
      replication: node.replication,
      logger: self.logger,
      ttlSeconds: cfg.leaseTtlSeconds,
      onClose: () => client.close(),
    });
  } catch (err) {
    client.close();
    throw err;
  }
}

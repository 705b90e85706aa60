import type { Core } from '../core/core';
import type { Logger } from '../log';
import type { SqliteBackend } from '../storage/sqlite';
import type { Mode, ReplicationStore } from './state';

/** What the replication roles need from the node, passed down explicitly. */
export interface ReplicationContext {
  core: Core;
  physical: SqliteBackend;
  store: ReplicationStore;
  logger: Logger;
  apiAddr: string;
  clusterAddr: string;
  /** The dev-mode root token id, handed to dev secondaries (seed 003); set once dev init ran. */
  devRootTokenId: string;
  /** The nodes a primary tells its secondaries of this mode about (manager.ts advertisedAddrs); none sent when empty or absent. */
  clusterAddrs?: (m: Mode) => string[];
  /** Default HEARTBEAT_INTERVAL_MS; the data plane's unit tests shorten it. */
  heartbeatIntervalMs?: number;
}

export const HEARTBEAT_INTERVAL_MS = 1_000;
export const WAL_BATCH_RECORDS = 1_000;
export const FETCH_KEYS_CHUNK = 2_000;
/**
 * Byte caps for one wals / fetch-keys frame, measured on the ENCODED frame
 * (frame-budget.ts). A record larger than the cap travels alone, and
 * storage's max_entry_size (at most MAX_MAX_ENTRY_SIZE, 32 MiB; ~43 MiB
 * encoded) keeps any single record inside MAX_FRAME_BYTES (64 MiB).
 */
export const WAL_BATCH_BYTES = 8 * 1024 * 1024;
export const FETCH_KEYS_BYTES = 8 * 1024 * 1024;
export const BUNDLE_MODE: Record<Mode, number> = { dr: 512, performance: 256 };

/** Which merkle trees a mode ships: performance only `replicated`, DR both. */
export const TREES_OF: Record<Mode, number[]> = { performance: [0], dr: [0, 1] };
export const shipsClass = (mode: Mode, cls: 'replicated' | 'local') => mode === 'dr' || cls === 'replicated';

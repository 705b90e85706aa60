import type { Core } from '../core/core';
import type { Route } from '../core/route';
import { badRequest } from '../errors';
import { checkDrOperationToken } from './dr-operation';
import type { ReplicationManager } from './manager';

// Merkle truth (reference §2.1; vault api-docs system/replication
// "merkle-check", "reindex"): merkle-check recomputes the trees from the
// stored entries and reports, in Vault's shape, which pages and leaves
// disagree; reindex rebuilds them in the background, its stage and progress
// in the status (reindex_in_progress, reindex_stage, reindex_building_*).
const REINDEX_STARTED = 'Reindexing the merkle tree has started; follow reindex_stage and reindex_building_progress in sys/replication/status.';

export function merkleRoutes(mgr: ReplicationManager, requireDrSecondary: () => void): Route<Core>[] {
  const startReindex = () => {
    if (!reindex(mgr)) throw badRequest('a reindex is already in progress');
    return { warnings: [REINDEX_STARTED] };
  };
  const check = async () => {
    const report = await mgr.opts.physical.health.check();
    mgr.changed(); // corrupted_merkle_tree and last_corruption_check_epoch moved
    return { data: { merkle_corruption_report: report } };
  };
  return [
    { pattern: `sys/replication/(?:(?:dr|performance)/)?reindex`, sudo: true, ops: { update: startReindex } },
    {
      // On a DR secondary the DR operation token authorises a reindex (no Vault token works there).
      pattern: 'sys/replication/dr/secondary/reindex',
      unauthenticated: true,
      ops: {
        update: (c) => {
          requireDrSecondary();
          checkDrOperationToken(mgr.opts.core, mgr.store, c.data.dr_operation_token, 'sys/replication/dr/secondary/reindex');
          return startReindex();
        },
      },
    },
    { pattern: 'sys/replication/merkle-check', ops: { update: check } },
    {
      pattern: 'sys/replication/dr/secondary/merkle-check',
      unauthenticated: true,
      ops: {
        update: (c) => {
          requireDrSecondary();
          checkDrOperationToken(mgr.opts.core, mgr.store, c.data.dr_operation_token, 'sys/replication/dr/secondary/merkle-check');
          return check();
        },
      },
    },
  ];
}

/** Start rebuilding the merkle index in the background (status shows stage and progress); false while one runs. */
function reindex(mgr: ReplicationManager): boolean {
  const run = mgr.opts.physical.health.startReindex();
  if (!run) return false;
  mgr.changed();
  void run
    .then(
      (entries) => mgr.logger.info({ entries }, 'merkle index rebuilt'),
      (err) => mgr.logger.error({ err }, 'merkle reindex failed'),
    )
    .finally(() => mgr.changed());
  return true;
}

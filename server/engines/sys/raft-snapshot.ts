import type { Core } from '../../core/core';
import type { Route } from '../../core/route';
import { restoreSnapshot, saveSnapshot } from '../../core/snapshot';

// sys/storage/raft/snapshot (GET save, POST restore) and snapshot-force
// (POST: restore a snapshot taken under other keys), as Vault's raft storage
// API names them. Both need sudo, like Vault's other storage operations,
// because a snapshot holds every secret (sealed) and a restore replaces them.
const SNAPSHOT_CONTENT_TYPE = 'application/gzip';

function restore(force: boolean) {
  return async ({ core, req }: { core: Core; req: { rawBody?: Buffer } }) => {
    const out = await restoreSnapshot(core, req.rawBody, force);
    return out.sealed ? { data: null, warnings: [`snapshot restored (${out.entries} entries); this node is now sealed: unseal it with the keys of the cluster the snapshot came from`] } : { data: null };
  };
}

export const raftSnapshotRoutes: Route<Core>[] = [
  {
    pattern: 'sys/storage/raft/snapshot',
    sudo: true,
    ops: {
      read: ({ core }) => ({ raw: { status: 200, body: saveSnapshot(core), contentType: SNAPSHOT_CONTENT_TYPE, filename: 'coffer.snap' } }),
      update: restore(false),
    },
  },
  { pattern: 'sys/storage/raft/snapshot-force', sudo: true, ops: { update: restore(true) } },
];

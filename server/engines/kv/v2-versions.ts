import type { BackendRequest, Response } from '../../core/request';
import { badRequest, VaultError } from '../../errors';
import { readIntList } from './fields';
import { isDeleted } from './key-metadata';
import type { KvV2Context } from './v2-store';

// kv v2 delete/, undelete/ and destroy/ (path_delete.go, path_destroy.go):
// act on a list of version numbers; unknown versions are skipped silently.

export type VersionAction = 'delete' | 'undelete' | 'destroy';

export function handleVersions(ctx: KvV2Context, req: BackendRequest, action: VersionAction, path: string): Response {
  if (req.operation !== 'create' && req.operation !== 'update') throw new VaultError('unsupported_operation', 'unsupported operation');
  const versions = readIntList(req.data, 'versions');
  if (versions.length === 0) throw badRequest('no version number provided');
  const meta = ctx.store.metadata(path);
  if (!meta) return { status: 204 };
  const now = ctx.now();
  const destroyed: number[] = [];
  for (const v of versions) {
    const vm = meta.versions[String(v)];
    if (!vm) continue;
    if (action === 'delete') {
      if (!vm.destroyed && !isDeleted(vm, now)) vm.deletion_time = now.toISOString();
    } else if (action === 'undelete') {
      if (!vm.destroyed) vm.deletion_time = '';
    } else if (!vm.destroyed) {
      vm.destroyed = true;
      destroyed.push(v);
    }
  }
  ctx.store.commit(path, meta, { drop: destroyed });
  return { status: 204 };
}

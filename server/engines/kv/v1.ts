import type { Backend } from '../../core/backend';
import type { BackendRequest, Response } from '../../core/request';
import type { StorageView } from '../../core/storage-view';
import { SYSTEM_DEFAULT_TTL } from '../../core/token-ttl';
import { handlePassthrough, passthroughExists } from './passthrough';

// KV version 1: one unversioned JSON object per path, stored under the path
// itself in the mount's view (API: website/content/api-docs/secret/kv/kv-v1.mdx).
export class KvV1Backend implements Backend {
  readonly type = 'kv';

  /** defaultTtl: the mount's default lease TTL in seconds (the system's 768h unless tuned). */
  constructor(
    private readonly storage: StorageView,
    private readonly defaultTtl = SYSTEM_DEFAULT_TTL,
  ) {}

  async handle(req: BackendRequest): Promise<Response | null> {
    return handlePassthrough(this.storage, req.operation, req.path, req.data, { ttlHint: true, defaultTtl: this.defaultTtl });
  }

  exists(req: BackendRequest): boolean {
    return passthroughExists(this.storage, req.path);
  }
}

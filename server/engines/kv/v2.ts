import type { Backend } from '../../core/backend';
import type { BackendRequest, Response } from '../../core/request';
import type { StorageView } from '../../core/storage-view';
import { checkDots } from './secret-path';
import { handleData, handleSubkeys } from './v2-data';
import { handleConfig, handleMetadata } from './v2-metadata';
import { KvV2Store, type KvV2Context } from './v2-store';
import { handleVersions, type VersionAction } from './v2-versions';

// KV version 2: versioned secrets with metadata, check-and-set, soft delete
// and destroy (API: website/content/api-docs/secret/kv/kv-v2.mdx; semantics:
// hashicorp/vault-plugin-secrets-kv). This file routes; v2-*.ts handle.

export interface KvV2Options {
  /** Clock, for tests of delete_version_after. */
  now?: () => Date;
}

type Route =
  | { kind: 'config' }
  | { kind: 'data' | 'subkeys' | 'metadata'; path: string }
  | { kind: 'versions'; action: VersionAction; path: string };

const VERSION_ACTIONS = new Set<string>(['delete', 'undelete', 'destroy']);

export class KvV2Backend implements Backend {
  readonly type = 'kv';
  private readonly ctx: KvV2Context;

  constructor(storage: StorageView, opts: KvV2Options = {}) {
    this.ctx = { store: new KvV2Store(storage), now: opts.now ?? (() => new Date()) };
  }

  async handle(req: BackendRequest): Promise<Response | null> {
    const route = routeOf(req.path);
    if (!route) return null;
    if ('path' in route) checkDots(route.path);
    switch (route.kind) {
      case 'config':
        return handleConfig(this.ctx, req);
      case 'data':
        return handleData(this.ctx, req, route.path);
      case 'subkeys':
        return handleSubkeys(this.ctx, req, route.path);
      case 'metadata':
        return handleMetadata(this.ctx, req, route.path);
      case 'versions':
        return handleVersions(this.ctx, req, route.action, route.path);
    }
  }

  /** data/ and metadata/ writes are "create" until the secret has metadata; other paths are always "update". */
  exists(req: BackendRequest): boolean {
    const route = routeOf(req.path);
    if (!route || (route.kind !== 'data' && route.kind !== 'metadata')) return true;
    if (route.path === '' || route.path.endsWith('/') || route.path.includes('..')) return false;
    return this.ctx.store.hasMetadata(route.path);
  }
}

function routeOf(path: string): Route | null {
  if (path === 'config') return { kind: 'config' };
  if (path === 'metadata') return { kind: 'metadata', path: '' };
  const slash = path.indexOf('/');
  if (slash === -1) return null;
  const head = path.slice(0, slash);
  const rest = path.slice(slash + 1);
  if (head === 'metadata') return { kind: 'metadata', path: rest };
  // data/ and subkeys/ name one secret: no empty name, no trailing slash (Vault's pattern `.*?[^/]$`).
  if (head === 'data' || head === 'subkeys') return rest === '' || rest.endsWith('/') ? null : { kind: head, path: rest };
  if (VERSION_ACTIONS.has(head) && rest !== '') return { kind: 'versions', action: head as VersionAction, path: rest };
  return null;
}

import type { Barrier } from '../barrier/barrier';
import { badRequest } from '../errors';
import type { Backend, BackendFactory } from './backend';
import { newAccessor, newUuid } from './ids';
import { StorageView } from './storage-view';
import { limitsOf } from './token-ttl';
import type { UserLockoutConfig } from './user-lockout-config';

// Mount tables (vault/mount.go). Replicated mounts live in core/mounts and
// core/auth; local ones in core/local-mounts and core/local-auth, whose keys
// are of class `local`. A mount's data lives under logical/<uuid>/ (or
// local-logical/<uuid>/ when local), so its class is fixed by its prefix.
export interface MountEntry {
  path: string; // e.g. "secret/" (secrets) or "userpass/" (auth, without the auth/ prefix)
  type: string;
  description: string;
  accessor: string;
  uuid: string;
  local: boolean;
  seal_wrap: boolean;
  options: Record<string, string>;
  config: {
    default_lease_ttl: number;
    max_lease_ttl: number;
    listing_visibility?: string;
    user_lockout_config?: UserLockoutConfig;
    /** Request/response data keys the audit log keeps in clear (server/audit/mount-keys.ts). */
    audit_non_hmac_request_keys?: string[];
    audit_non_hmac_response_keys?: string[];
  };
  builtin?: boolean;
}

export type TableKind = 'secret' | 'auth';
const TABLE_PATHS: Record<TableKind, { replicated: string; local: string }> = {
  secret: { replicated: 'core/mounts', local: 'core/local-mounts' },
  auth: { replicated: 'core/auth', local: 'core/local-auth' },
};
const DATA_PREFIX: Record<TableKind, { replicated: string; local: string }> = {
  secret: { replicated: 'logical/', local: 'local-logical/' },
  auth: { replicated: 'auth/', local: 'local-auth/' },
};
const RESERVED = ['sys/', 'auth/', 'cubbyhole/', 'identity/'];

export interface MountedBackend {
  entry: MountEntry;
  kind: TableKind;
  /** The routing prefix: "secret/" or "auth/userpass/". */
  routePath: string;
  backend: Backend;
  storage: StorageView;
}

/** The audit_non_hmac_* keys given at enable, kept only when set. */
function auditKeysOf(c: Partial<MountEntry['config']> | undefined): Partial<MountEntry['config']> {
  const out: Partial<MountEntry['config']> = {};
  if (c?.audit_non_hmac_request_keys?.length) out.audit_non_hmac_request_keys = c.audit_non_hmac_request_keys;
  if (c?.audit_non_hmac_response_keys?.length) out.audit_non_hmac_response_keys = c.audit_non_hmac_response_keys;
  return out;
}

export function normalizeMountPath(path: string): string {
  const p = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (!p) throw badRequest('path cannot be empty');
  if (p.includes('..') || /[*+]/.test(p)) throw badRequest(`invalid mount path "${path}"`);
  return p + '/';
}

export class MountTable {
  private mounted: MountedBackend[] = [];

  constructor(
    private readonly barrier: Barrier,
    private readonly factories: Record<TableKind, Record<string, BackendFactory>>,
  ) {
    // The routing table follows its stored tables, whoever wrote them: this
    // node, replication, a wipe, or a rolled-back commit. Sealed: nothing to route.
    const tables = Object.values(TABLE_PATHS).flatMap((t) => [t.replicated, t.local]);
    barrier.physical.changes.subscribe(tables, () => {
      if (!barrier.sealed) this.load();
    });
  }

  entries(kind: TableKind): MountEntry[] {
    return this.mounted.filter((m) => m.kind === kind).map((m) => m.entry);
  }

  /** (Re)build the routing table from storage, after unseal or a replicated change. */
  load(): void {
    const next: MountedBackend[] = [];
    for (const kind of ['secret', 'auth'] as const) {
      for (const local of [false, true]) {
        const path = local ? TABLE_PATHS[kind].local : TABLE_PATHS[kind].replicated;
        for (const entry of this.barrier.getJSON<MountEntry[]>(path) ?? []) next.push(this.instantiate(kind, entry));
      }
    }
    this.mounted = next.sort((a, b) => b.routePath.length - a.routePath.length);
  }

  private instantiate(kind: TableKind, entry: MountEntry): MountedBackend {
    const factory = this.factories[kind][entry.type];
    if (!factory) throw new Error(`unknown ${kind} backend type "${entry.type}" at ${entry.path}`);
    const prefix = (entry.local ? DATA_PREFIX[kind].local : DATA_PREFIX[kind].replicated) + entry.uuid + '/';
    const storage = new StorageView(this.barrier, prefix);
    const routePath = kind === 'auth' ? 'auth/' + entry.path : entry.path;
    return { entry, kind, routePath, storage, backend: factory({ storage, options: entry.options, mountPath: routePath, limits: limitsOf(entry.config) }) };
  }

  /** Longest-prefix match of a request path. "secret" matches mount "secret/". */
  route(path: string): { mount: MountedBackend; rest: string } | null {
    for (const m of this.mounted) {
      if (path.startsWith(m.routePath)) return { mount: m, rest: path.slice(m.routePath.length) };
      if (path + '/' === m.routePath) return { mount: m, rest: '' };
    }
    return null;
  }

  find(kind: TableKind, path: string): MountEntry | undefined {
    return this.entries(kind).find((e) => e.path === path);
  }

  enable(
    kind: TableKind,
    input: { path: string; type: string; description?: string; local?: boolean; options?: Record<string, string>; config?: Partial<MountEntry['config']>; builtin?: boolean },
  ): MountEntry {
    const path = normalizeMountPath(input.path);
    if (!this.factories[kind][input.type]) throw badRequest(`plugin not found in the catalog: ${input.type}`);
    const full = kind === 'auth' ? 'auth/' + path : path;
    if (kind === 'secret' && !input.builtin && RESERVED.some((r) => full.startsWith(r)))
      throw badRequest(`cannot mount under reserved path "${path}"`);
    for (const m of this.mounted) {
      if (full.startsWith(m.routePath) || m.routePath.startsWith(full))
        throw badRequest(`path is already in use at ${m.routePath}`);
    }
    const entry: MountEntry = {
      path,
      type: input.type,
      description: input.description ?? '',
      accessor: `${kind === 'auth' ? 'auth' : ''}${kind === 'auth' ? '_' : ''}${input.type}_${newAccessor().slice(0, 8).toLowerCase()}`,
      uuid: newUuid(),
      local: input.local ?? false,
      seal_wrap: false,
      options: input.options ?? {},
      config: {
        default_lease_ttl: input.config?.default_lease_ttl ?? 0,
        max_lease_ttl: input.config?.max_lease_ttl ?? 0,
        ...auditKeysOf(input.config),
      },
      builtin: input.builtin,
    };
    const tablePath = entry.local ? TABLE_PATHS[kind].local : TABLE_PATHS[kind].replicated;
    const table = this.barrier.getJSON<MountEntry[]>(tablePath) ?? [];
    this.barrier.putJSON(tablePath, [...table, entry]);
    this.load();
    return entry;
  }

  disable(kind: TableKind, rawPath: string): boolean {
    const path = normalizeMountPath(rawPath);
    const m = this.mounted.find((x) => x.kind === kind && x.entry.path === path);
    if (!m) return false;
    if (m.entry.builtin) throw badRequest(`cannot unmount "${path}"`);
    const tablePath = m.entry.local ? TABLE_PATHS[kind].local : TABLE_PATHS[kind].replicated;
    const table = this.barrier.getJSON<MountEntry[]>(tablePath) ?? [];
    this.barrier.putJSON(tablePath, table.filter((e) => e.path !== path));
    m.storage.clear();
    this.load();
    return true;
  }

  /**
   * sys/remount: a mount keeps its uuid, and its data lives under that uuid,
   * so moving it is rewriting its path in the table; every node routes (and
   * every ACL check sees) the new path as soon as the table changes.
   */
  move(kind: TableKind, rawFrom: string, rawTo: string): MountEntry {
    const from = normalizeMountPath(rawFrom);
    const to = normalizeMountPath(rawTo);
    const shown = (p: string) => (kind === 'auth' ? 'auth/' + p : p);
    const m = this.mounted.find((x) => x.kind === kind && x.entry.path === from);
    if (!m) throw badRequest(`no matching mount at "${shown(from)}"`);
    if (m.entry.builtin || m.entry.type === 'cubbyhole') throw badRequest(`cannot remount "${shown(from)}"`);
    const full = shown(to);
    if ((kind === 'secret' && RESERVED.some((r) => full.startsWith(r))) || full.startsWith('auth/token/'))
      throw badRequest(`cannot remount to reserved path "${full}"`);
    for (const o of this.mounted) {
      if (o !== m && (full.startsWith(o.routePath) || o.routePath.startsWith(full))) throw badRequest(`path already in use at "${o.routePath}"`);
    }
    const tablePath = m.entry.local ? TABLE_PATHS[kind].local : TABLE_PATHS[kind].replicated;
    const table = this.barrier.getJSON<MountEntry[]>(tablePath) ?? [];
    const moved: MountEntry = { ...m.entry, path: to };
    this.barrier.putJSON(tablePath, table.map((e) => (e.path === from ? moved : e)));
    this.load();
    return moved;
  }

  tune(kind: TableKind, rawPath: string, patch: { description?: string; config?: Partial<MountEntry['config']>; options?: Record<string, string> }): MountEntry {
    const path = normalizeMountPath(rawPath);
    const m = this.mounted.find((x) => x.kind === kind && x.entry.path === path);
    if (!m) throw badRequest(`no mount at "${path}"`);
    const tablePath = m.entry.local ? TABLE_PATHS[kind].local : TABLE_PATHS[kind].replicated;
    const table = this.barrier.getJSON<MountEntry[]>(tablePath) ?? [];
    const updated: MountEntry = {
      ...m.entry,
      description: patch.description ?? m.entry.description,
      config: { ...m.entry.config, ...patch.config },
      options: { ...m.entry.options, ...patch.options },
    };
    this.barrier.putJSON(tablePath, table.map((e) => (e.path === path ? updated : e)));
    this.load();
    return updated;
  }
}

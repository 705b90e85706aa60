// KV v2 keeps data under <mount>/data/<key> and metadata under
// <mount>/metadata/<key>, while users type <mount>/<key>. Like Vault's CLI we
// look the mount up first (its path and options.version), then rewrite.
import type { VaultClient } from './client';
import { ApiError } from './client';

export interface KvMount {
  /** Mount path with a trailing slash, e.g. "secret/"; "" when unknown. */
  path: string;
  version: 1 | 2;
}

/** Trims whitespace and leading/trailing slashes, like Vault's sanitizePath. */
export function sanitizePath(p: string): string {
  return p.trim().replace(/^\/+/, '').replace(/\/+$/, '');
}

/** Inserts `apiPrefix` (data, metadata, delete, ...) after the mount. */
export function addPrefixToKvPath(p: string, mountPath: string, apiPrefix: string): string {
  const mount = mountPath.replace(/\/+$/, '');
  if (p === mount || p === mountPath) return joinPath(mount, apiPrefix);
  const rest = p.startsWith(mount + '/') ? p.slice(mount.length + 1) : p;
  return joinPath(mount, apiPrefix, rest);
}

export function joinPath(...parts: string[]): string {
  return parts
    .map((s) => s.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
}

function versionOf(options: unknown): 1 | 2 {
  const v = (options as { version?: unknown } | null | undefined)?.version;
  return String(v ?? '') === '2' ? 2 : 1;
}

/** The mount table entry that owns `path`: the longest mount prefix wins. */
export function findMount(mounts: Record<string, unknown>, path: string): KvMount | undefined {
  const target = sanitizePath(path) + '/';
  let best: { key: string; entry: Record<string, unknown> } | undefined;
  for (const [key, entry] of Object.entries(mounts)) {
    if (!key.endsWith('/') || entry === null || typeof entry !== 'object') continue;
    if (target.startsWith(key) && (!best || key.length > best.key.length)) {
      best = { key, entry: entry as Record<string, unknown> };
    }
  }
  return best && { path: best.key, version: versionOf(best.entry.options) };
}

/**
 * Asks the server which mount owns `path` and its KV version:
 * GET sys/internal/ui/mounts/<path>, falling back to the mount table when that
 * endpoint is missing (404). No mount found means KV v1 semantics on the raw path.
 */
export async function discoverKvMount(client: VaultClient, path: string): Promise<KvMount> {
  try {
    const res = await client.request('GET', `sys/internal/ui/mounts/${sanitizePath(path)}`, { wrap: false });
    const data = (res.body?.data ?? {}) as Record<string, unknown>;
    const mountPath = typeof data.path === 'string' ? data.path : '';
    return { path: mountPath, version: versionOf(data.options) };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
  }
  try {
    const res = await client.request('GET', 'sys/mounts', { wrap: false });
    const body = (res.body ?? {}) as Record<string, unknown>;
    const table = (body.data && typeof body.data === 'object' ? body.data : body) as Record<string, unknown>;
    return findMount(table, path) ?? { path: '', version: 1 };
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 403)) return { path: '', version: 1 };
    throw err;
  }
}

export interface KvTarget {
  mount: KvMount;
  /** Mount-inclusive path as the user meant it, e.g. "secret/myapp". */
  partialPath: string;
}

/**
 * Resolves `-mount=M key` or `M/key` to the mount and the mount-inclusive path.
 */
export async function resolveKvTarget(client: VaultClient, arg: string, mountFlag?: string): Promise<KvTarget> {
  if (mountFlag) {
    const mount = await discoverKvMount(client, sanitizePath(mountFlag));
    const base = mount.path || sanitizePath(mountFlag);
    return { mount: { ...mount, path: mount.path || base + '/' }, partialPath: joinPath(base, sanitizePath(arg)) };
  }
  const partialPath = sanitizePath(arg);
  return { mount: await discoverKvMount(client, partialPath), partialPath };
}

/** The API path for an operation: v2 inserts `prefix`; v1 uses the path as is. */
export function kvApiPath(target: KvTarget, prefix: string): string {
  if (target.mount.version === 2) return addPrefixToKvPath(target.partialPath, target.mount.path, prefix);
  return target.partialPath;
}

// The KV browser's calls. A mount's KV version comes from
// `GET sys/internal/ui/mounts/<path>` (data.options.version), as Vault's UI and
// CLI discover it; v2 keeps data under <mount>/data/ and listings under
// <mount>/metadata/, v1 keeps both at the plain path.
import { queryOptions } from '@tanstack/react-query';
import type { ListResponse, VaultResponse } from '@/lib/types/vault-response';
import { ApiError } from './api-error';
import { vaultFetch } from './client';

export type KvVersion = 1 | 2;

export interface KvMount {
  /** "secret/" */
  path: string;
  type: string;
  version: KvVersion;
}

export interface KvSecret {
  data: Record<string, unknown>;
  /** v2 only. */
  version: number | null;
  createdTime: string | null;
  deleted: boolean;
}

export interface KvVersionInfo {
  version: number;
  createdTime: string;
  deleted: boolean;
  destroyed: boolean;
}

interface MountInfoData {
  path?: string;
  type: string;
  options?: { version?: string } | null;
}

interface KvV2Read {
  data: Record<string, unknown> | null;
  metadata: { version: number; created_time: string; deletion_time: string; destroyed: boolean } | null;
}

interface KvV2Metadata {
  current_version: number;
  versions: Record<string, { created_time: string; deletion_time: string; destroyed: boolean }>;
}

/** "secret", "/secret/" → "secret/". */
export function mountPath(mount: string): string {
  return `${mount.replace(/^\/+|\/+$/g, '')}/`;
}

/** Encode each segment of a secret path, keeping the slashes. */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

export function dataPath(m: KvMount, path: string): string {
  return m.version === 2 ? `${m.path}data/${encodePath(path)}` : `${m.path}${encodePath(path)}`;
}

export function listPath(m: KvMount, dir: string): string {
  return m.version === 2 ? `${m.path}metadata/${encodePath(dir)}` : `${m.path}${encodePath(dir)}`;
}

export const kvMountQuery = (token: string, mount: string) =>
  queryOptions({
    queryKey: ['kv', mountPath(mount), 'mount'],
    queryFn: async ({ signal }): Promise<KvMount> => {
      const res = await vaultFetch<VaultResponse<MountInfoData>>(`sys/internal/ui/mounts/${encodePath(mountPath(mount))}`, { token, signal });
      const version = res.data.options?.version === '2' ? 2 : 1;
      return { path: res.data.path ? mountPath(res.data.path) : mountPath(mount), type: res.data.type, version };
    },
    staleTime: 60_000,
  });

/** A directory's keys (folders end in "/"), folders first. Vault answers an empty list with 404. */
export const kvListQuery = (token: string, m: KvMount, dir: string) =>
  queryOptions({
    queryKey: ['kv', m.path, 'list', dir],
    queryFn: async ({ signal }) => {
      try {
        const res = await vaultFetch<ListResponse>(`${listPath(m, dir)}?list=true`, { token, signal });
        return sortKeys(res.data?.keys ?? []);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return [];
        throw err;
      }
    },
  });

export function sortKeys(keys: string[]): string[] {
  return [...keys].sort((a, b) => {
    const fa = a.endsWith('/');
    const fb = b.endsWith('/');
    if (fa !== fb) return fa ? -1 : 1;
    return a.localeCompare(b);
  });
}

/** null when there is no such secret (or version): Vault answers 404. */
export const kvSecretQuery = (token: string, m: KvMount, path: string, version?: number) =>
  queryOptions({
    queryKey: ['kv', m.path, 'secret', path, version ?? 'latest'],
    queryFn: ({ signal }) =>
      readSecret(token, m, path, version, signal).catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }),
  });

async function readSecret(token: string, m: KvMount, path: string, version: number | undefined, signal: AbortSignal): Promise<KvSecret> {
  const suffix = m.version === 2 && version ? `?version=${version}` : '';
  if (m.version === 1) {
    const res = await vaultFetch<VaultResponse<Record<string, unknown>>>(dataPath(m, path), { token, signal });
    return { data: res.data ?? {}, version: null, createdTime: null, deleted: false };
  }
  const res = await vaultFetch<VaultResponse<KvV2Read>>(`${dataPath(m, path)}${suffix}`, { token, signal });
  const md = res.data.metadata;
  return {
    data: res.data.data ?? {},
    version: md?.version ?? null,
    createdTime: md?.created_time ?? null,
    deleted: !!md?.deletion_time || !res.data.data,
  };
}

export const kvVersionsQuery = (token: string, m: KvMount, path: string) =>
  queryOptions({
    queryKey: ['kv', m.path, 'versions', path],
    enabled: m.version === 2,
    queryFn: async ({ signal }): Promise<KvVersionInfo[]> => {
      const res = await vaultFetch<VaultResponse<KvV2Metadata>>(`${m.path}metadata/${encodePath(path)}`, { token, signal });
      return Object.entries(res.data.versions ?? {})
        .map(([v, info]) => ({ version: Number(v), createdTime: info.created_time, deleted: !!info.deletion_time, destroyed: info.destroyed }))
        .sort((a, b) => b.version - a.version);
    },
  });

/** Writes a secret; on v2 this makes a new version, whose number is returned. */
export async function writeSecret(token: string, m: KvMount, path: string, data: Record<string, string>): Promise<number | null> {
  const clean = path.replace(/^\/+/, '');
  if (!clean || clean.endsWith('/')) throw new ApiError(400, ['a secret path is required and cannot end in "/"']);
  if (m.version === 1) {
    await vaultFetch(dataPath(m, clean), { method: 'POST', token, body: data });
    return null;
  }
  const res = await vaultFetch<VaultResponse<{ version: number }>>(dataPath(m, clean), { method: 'POST', token, body: { data } });
  return res?.data?.version ?? null;
}

/** The folder a secret lives in ("a/b/c" → "a/b/"), '' at the root. */
export function parentDir(path: string): string {
  const i = path.replace(/\/+$/, '').lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i + 1);
}

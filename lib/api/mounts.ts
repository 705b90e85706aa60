// Secrets engines (`sys/mounts`) and auth methods (`sys/auth`), reshaped into
// the rows the console's tables show.
import { queryOptions } from '@tanstack/react-query';
import type { MountEntry, MountTableResponse } from '@/lib/types/mounts';
import { vaultFetch } from './client';

export interface MountRow {
  path: string;
  type: string;
  /** "2" for KV v2, when the mount says so. */
  version: string | null;
  description: string;
  accessor: string;
  local: boolean;
}

function isMountEntry(v: unknown): v is MountEntry {
  return !!v && typeof v === 'object' && typeof (v as MountEntry).type === 'string';
}

export function toMountRows(body: MountTableResponse): MountRow[] {
  const table: Record<string, unknown> = body.data && typeof body.data === 'object' ? body.data : body;
  return Object.entries(table)
    .filter((e): e is [string, MountEntry] => e[0].endsWith('/') && isMountEntry(e[1]))
    .map(([path, m]) => ({
      path,
      type: m.type,
      version: m.options?.version ?? null,
      description: m.description ?? '',
      accessor: m.accessor ?? '',
      local: !!m.local,
    }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

export const secretMountsQuery = (token: string) =>
  queryOptions({
    queryKey: ['sys', 'mounts'],
    queryFn: ({ signal }) => vaultFetch<MountTableResponse>('sys/mounts', { token, signal }).then(toMountRows),
  });

export const authMountsQuery = (token: string) =>
  queryOptions({
    queryKey: ['sys', 'auth'],
    queryFn: ({ signal }) => vaultFetch<MountTableResponse>('sys/auth', { token, signal }).then(toMountRows),
  });

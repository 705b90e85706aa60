// What the Status menu shows: health (cluster name, replication modes) and
// seal status, both unauthenticated. The health query asks for 200 in every
// state, like Vault's UI, so a sealed or standby node is data, not an error.
import { queryOptions } from '@tanstack/react-query';
import type { HealthResponse, SealStatusResponse } from '@/lib/types/cluster-status';
import { vaultFetch } from './client';

export const STATUS_REFRESH_MS = 30_000;

export const HEALTH_PATH =
  'sys/health?standbycode=200&sealedcode=200&uninitcode=200&drsecondarycode=200&performancestandbycode=200';

export const healthQuery = () =>
  queryOptions({
    queryKey: ['sys', 'health'],
    queryFn: ({ signal }) => vaultFetch<HealthResponse>(HEALTH_PATH, { signal }),
    refetchInterval: STATUS_REFRESH_MS,
  });

export const sealStatusQuery = () =>
  queryOptions({
    queryKey: ['sys', 'seal-status'],
    queryFn: ({ signal }) => vaultFetch<SealStatusResponse>('sys/seal-status', { signal }),
    refetchInterval: STATUS_REFRESH_MS,
  });

/** Label for a replication mode in the Status menu, Vault-style. */
export function replicationModeLabel(mode: string | undefined): string | null {
  if (!mode) return null;
  if (mode === 'disabled') return 'Not enabled';
  return mode.charAt(0).toUpperCase() + mode.slice(1);
}

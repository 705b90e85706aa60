// Replication status for the console: `GET sys/replication/status` (no token
// needed, so it also works on a DR secondary), reshaped into one object per
// kind. The live feed (status-feed.ts) writes into the same cache entry.
import { queryOptions } from '@tanstack/react-query';
import type { ReplicationKind, ReplicationModeStatus, ReplicationStatusResponse } from '@/lib/types/replication';
import { vaultFetch } from './client';

export interface ReplicationStatus {
  dr: ReplicationModeStatus;
  performance: ReplicationModeStatus;
  /** Replication is not available on this server at all (CE's data.mode). */
  unsupported: boolean;
}

export const REPLICATION_STATUS_KEY = ['sys', 'replication', 'status'] as const;
/** Polling used only while the live feed is down. */
export const FALLBACK_POLL_MS = 3000;

const DISABLED: ReplicationModeStatus = { mode: 'disabled' };

export function toReplicationStatus(body: ReplicationStatusResponse | undefined): ReplicationStatus {
  const data = body?.data ?? {};
  if (!data.dr && !data.performance) {
    return { dr: DISABLED, performance: DISABLED, unsupported: data.mode === 'unsupported' };
  }
  return { dr: data.dr ?? DISABLED, performance: data.performance ?? DISABLED, unsupported: false };
}

export const replicationStatusQuery = (opts: { poll?: () => number | false } = {}) =>
  queryOptions({
    queryKey: REPLICATION_STATUS_KEY,
    queryFn: ({ signal }) => vaultFetch<ReplicationStatusResponse>('sys/replication/status', { signal }).then(toReplicationStatus),
    staleTime: 1000,
    refetchInterval: opts.poll ?? false,
  });

export function isReplicationKind(v: string): v is ReplicationKind {
  return v === 'dr' || v === 'performance';
}

export function isEnabled(s: ReplicationModeStatus | undefined): boolean {
  return !!s && s.mode !== 'disabled' && s.mode !== 'unsupported';
}

/** First group of a UUID, as Vault's overview badges show it. */
export function shortId(id: string | undefined): string {
  return id ? id.split('-')[0] : '';
}

/** `lag_ms` as a number, when the server reports it. */
export function lagMs(s: ReplicationModeStatus | undefined): number | null {
  const raw = s?.lag_ms;
  if (raw === undefined || raw === null || raw === '') return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

export function clockSkewMs(s: ReplicationModeStatus | undefined): number | null {
  const raw = s?.primaries?.[0]?.clock_skew_ms;
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

/** The WAL index a dashboard leads with: the primary's own, else what a secondary received. */
export function lastWal(s: ReplicationModeStatus | undefined): number | null {
  if (!s) return null;
  const v = s.mode === 'secondary' ? s.last_remote_wal : (s.last_wal ?? s.last_dr_wal ?? s.last_performance_wal);
  return typeof v === 'number' ? v : null;
}

export function knownSecondaryCount(s: ReplicationModeStatus | undefined): number {
  return s?.known_secondaries?.length ?? s?.secondaries?.length ?? 0;
}

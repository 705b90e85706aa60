'use client';
// A secondary's Details tab (§7.4): how it talks to its primary (state,
// connection, last remote WAL, merkle-sync progress), how far behind it is
// (lag with a live sparkline, clock skew), which primary it follows, then the
// detail rows.
import { CONNECTION_STATE_HELP, clusterState } from '@/lib/cluster-states';
import { clockSkewMs, lagMs } from '@/lib/api/replication';
import { useLagHistory } from '@/lib/api/status-feed';
import type { ReplicationKind, ReplicationModeStatus } from '@/lib/types/replication';
import { DetailsRows } from './details-rows';
import { LINK_CLASS } from './form-styles';
import { MerkleSyncProgress } from './merkle-sync-progress';
import { BigNumber, MetricCard } from './metric-card';
import { Sparkline } from './sparkline';
import { StateValue } from './state-glyph';
import { SyncingBanner } from './syncing-banner';

export function SecondaryDashboard({ kind, status }: { kind: ReplicationKind; status: ReplicationModeStatus }) {
  const state = clusterState(status.state);
  const conn = clusterState(status.connection_state);
  const lag = lagMs(status);
  const skew = clockSkewMs(status);
  const history = useLagHistory(kind);
  const primaryApi = status.primaries?.[0]?.api_address;
  const primaryAddrs = status.known_primary_cluster_addrs ?? [];

  return (
    <>
      <SyncingBanner state={status.state} />
      <div className="grid gap-6 lg:grid-cols-3">
        <MetricCard title="Status" alarm={state.tone !== 'ok' || conn.tone === 'error'} testId="card-status" className="lg:col-span-2">
          <dl className="grid gap-5 sm:grid-cols-3">
            <div>
              <dt className="font-mono text-sm font-semibold text-gray-800">state</dt>
              <dd className="mt-2" data-testid="secondary-state">
                <StateValue state={status.state} />
              </dd>
              <dd className="mt-1 text-xs text-gray-600">{state.meaning}. How this cluster is communicating with its primary.</dd>
            </div>
            <div>
              <dt className="font-mono text-sm font-semibold text-gray-800">connection_state</dt>
              <dd className="mt-2" data-testid="connection-state">
                <StateValue state={status.connection_state} />
              </dd>
              <dd className={`mt-1 text-xs ${conn.tone === 'error' ? 'font-medium text-danger' : 'text-gray-600'}`}>
                {CONNECTION_STATE_HELP[status.connection_state ?? ''] ?? 'The health of the connection to the primary.'}
              </dd>
              {status.last_error ? (
                <dd className="mt-1 text-xs text-red-700" data-testid="last-error">
                  Last error: {status.last_error}
                </dd>
              ) : null}
            </div>
            <div>
              <dt className="font-mono text-sm font-semibold text-gray-800">last_remote_wal</dt>
              <dd className="mt-1">
                <BigNumber value={typeof status.last_remote_wal === 'number' ? status.last_remote_wal : null} testId="last-remote-wal" />
              </dd>
              <dd className="mt-1 text-xs text-gray-600">Index of the last WAL entry received from the primary. Updates live.</dd>
            </div>
          </dl>
          <div className="mt-5 border-t border-gray-100 pt-4">
            <MerkleSyncProgress state={status.state} progress={status.merkle_sync_progress} />
          </div>
        </MetricCard>

        <MetricCard title="Lag" help="How far this cluster trails its primary, updated every second." testId="card-lag">
          <div className="flex items-end justify-between gap-4">
            <BigNumber value={lag} unit="ms" testId="lag-ms" />
            <Sparkline values={history} label={`Lag over the last ${history.length} seconds`} />
          </div>
          <p className="mt-3 text-sm text-gray-700">
            Clock skew:{' '}
            <span className="inline-block min-w-[8ch] font-mono tabular-nums" data-testid="clock-skew">
              {skew === null ? 'not reported' : `${skew} ms`}
            </span>
          </p>
        </MetricCard>
      </div>

      <MetricCard
        className="mt-6"
        title="Primary cluster"
        help="The primary this cluster replicates from."
        actions={
          primaryApi ? (
            <a href={`${primaryApi.replace(/\/+$/, '')}/ui/`} className={LINK_CLASS} target="_blank" rel="noreferrer">
              View primary cluster
            </a>
          ) : null
        }
      >
        <p className="text-sm text-gray-700">
          Primary cluster address: <span className="font-mono text-gray-900">{status.primary_cluster_addr || 'None set'}</span>
        </p>
        {primaryAddrs.length > 0 ? (
          <table className="mt-3 w-full text-left text-sm">
            <caption className="sr-only">Known primary cluster addresses</caption>
            <thead className="border-b border-gray-200 text-xs font-semibold text-gray-600">
              <tr>
                <th scope="col" className="py-2 font-mono">
                  cluster_addr
                </th>
              </tr>
            </thead>
            <tbody>
              {primaryAddrs.map((a) => (
                <tr key={a} className="border-b border-gray-100 last:border-b-0">
                  <td className="py-2 font-mono">{a}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="mt-3 text-sm text-gray-500">No known_primary_cluster_addrs</p>
        )}
      </MetricCard>
      <DetailsRows status={status} />
    </>
  );
}

'use client';
// Vault UI's "Raft Storage" page (/ui/vault/storage/raft): the cluster's raft
// peers with the leader marked and autopilot's health, a per-peer Remove
// peer, and Snapshots (download, restore). On a standby it says which node is
// active; every call it makes is answered (or forwarded) by this node. Live
// from the status feed: each peer's HA state and the leader mark follow the
// feed's nodes at once, and a change of them refetches the peers
// (lib/api/status-feed.ts); polling only backs the feed up.
import { useQuery, useSuspenseQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { ApiErrorAlert } from '@/components/replication/api-error-alert';
import { PRIMARY_BUTTON } from '@/components/replication/form-styles';
import { useToken } from '@/components/shell/use-token';
import { PageHeader } from '@/components/ui/page-header';
import { healthQuery } from '@/lib/api/cluster-status';
import { activeNodeLabel, haNodesQuery } from '@/lib/api/ha-nodes';
import { RAFT_FEED_FALLBACK_MS, RAFT_REFRESH_MS, autopilotStateQuery, leaderQuery, raftConfigurationQuery, type RaftServer } from '@/lib/api/raft';
import { useStatusFeed } from '@/lib/api/status-feed';
import { activeNodeOf } from '@/lib/ha-nodes';
import { AutopilotSummary } from './autopilot-summary';
import { DownloadSnapshotButton, useSnapshotDownload } from './download-snapshot-button';
import { RaftPeersTable } from './raft-peers-table';
import { RemovePeerDialog } from './remove-peer-dialog';
import { RestoreSnapshotDialog } from './restore-snapshot-dialog';

export const RAFT_STORAGE_TITLE = 'Raft Storage';
export const RAFT_STORAGE_DESCRIPTION = 'The nodes of this cluster’s integrated storage (sys/storage/raft).';

function Notice({ tone, children }: { tone: 'ok' | 'info'; children: React.ReactNode }) {
  const cls = tone === 'ok' ? 'border-green-200 bg-green-50 text-green-900' : 'border-blue-200 bg-blue-50 text-blue-900';
  return (
    <div role="status" className={`rounded-md border px-3 py-2 text-sm ${cls}`}>
      {children}
    </div>
  );
}

export function RaftStorageScreen() {
  const token = useToken();
  const live = useStatusFeed() === 'live';
  const peers = useSuspenseQuery({ ...raftConfigurationQuery(token), refetchInterval: live ? RAFT_FEED_FALLBACK_MS : RAFT_REFRESH_MS });
  const haNodes = useQuery(haNodesQuery()).data;
  const autopilot = useQuery(autopilotStateQuery(token));
  const leader = useQuery(leaderQuery());
  const health = useQuery(healthQuery());
  const download = useSnapshotDownload(token, health.data?.cluster_name);
  const [removing, setRemoving] = useState<RaftServer | null>(null);
  const [restoreOpen, setRestoreOpen] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const peersHeading = useId();
  // The feed names the active first; the peers' own leader mark catches up with the refetch the change triggers.
  const active = activeNodeOf(haNodes);
  const rows = active ? peers.data.map((p) => ({ ...p, leader: p.node_id === active.node_id })) : peers.data;
  const leaderPeer = rows.find((p) => p.leader);
  const standby = health.data ? health.data.standby : leader.data?.ha_enabled && !leader.data.is_self;
  const activeLabel = activeNodeLabel(active, leaderPeer?.node_id ? `${leaderPeer.node_id} (${leader.data?.leader_address})` : leader.data?.leader_address);

  return (
    <>
      <PageHeader
        title={RAFT_STORAGE_TITLE}
        description={RAFT_STORAGE_DESCRIPTION}
        actions={
          <div role="group" aria-label="Snapshots" className="flex flex-wrap items-center gap-3">
            <span className="text-xs font-semibold uppercase tracking-wide text-gray-500">Snapshots</span>
            <DownloadSnapshotButton download={download} />
            <button type="button" onClick={() => setRestoreOpen((n) => n + 1)} className={PRIMARY_BUTTON}>
              <span aria-hidden="true">⤒</span>
              Restore snapshot
            </button>
          </div>
        }
      />
      <div className="space-y-4">
        {standby ? (
          <Notice tone="info">
            This node is a standby. The active node is{' '}
            <span className="font-mono font-semibold" data-testid="raft-active-node">
              {activeLabel ?? 'unknown'}
            </span>
            ; changes are forwarded to it.
          </Notice>
        ) : null}
        {notice ? <Notice tone="ok">{notice}</Notice> : null}
        <ApiErrorAlert error={download.error} prefix="Download failed:" />
        {download.isSuccess ? <Notice tone="ok">Snapshot downloaded ({download.data.toLocaleString()} bytes).</Notice> : null}
        <section aria-labelledby={peersHeading} className="space-y-3">
          <div className="flex flex-wrap items-end justify-between gap-3">
            <h2 id={peersHeading} className="text-lg font-semibold text-gray-900">
              Peers <span className="text-sm font-normal text-gray-500">({peers.data.length})</span>
            </h2>
            <AutopilotSummary state={autopilot.data} error={autopilot.error} />
          </div>
          {peers.error ? <ApiErrorAlert error={peers.error} prefix="Refreshing peers failed:" /> : null}
          <RaftPeersTable peers={rows} autopilot={autopilot.data} haNodes={haNodes} onRemove={setRemoving} />
        </section>
      </div>
      <RemovePeerDialog
        token={token}
        peer={removing}
        onClose={() => setRemoving(null)}
        onRemoved={(id) => {
          setRemoving(null);
          setNotice(`Peer ${id} removed successfully.`);
        }}
      />
      <RestoreSnapshotDialog
        key={restoreOpen}
        token={token}
        open={restoreOpen > 0}
        onClose={() => setRestoreOpen(0)}
        onRestored={(warnings) => {
          setRestoreOpen(0);
          setNotice(['Snapshot restored.', ...warnings].join(' '));
        }}
      />
    </>
  );
}

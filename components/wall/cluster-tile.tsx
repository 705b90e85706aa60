'use client';
// One cluster on the status wall: name, sealed or not, the nodes of an HA
// cluster with each one's state, and per replication kind its role, state
// (tone from lib/cluster-states), WAL index, lag and number of secondaries. Goes grey — "Stale — no updates for Ns" — when its
// feed closes or stays silent longer than STALE_AFTER_MS.
import { memo, useId } from 'react';
import { clusterState, roleLabel, summaryState, type StateTone } from '@/lib/cluster-states';
import { knownSecondaryCount, lagMs, lastWal } from '@/lib/api/replication';
import { STALE_AFTER_MS } from '@/lib/api/status-feed-client';
import type { ReplicationKind, ReplicationModeStatus } from '@/lib/types/replication';
import { StateGlyph } from '@/components/replication/state-glyph';
import { HaNodesList } from './ha-nodes-list';
import { useClusterFeed, useNow } from './use-cluster-feed';

const TONE: Record<StateTone, { text: string; edge: string }> = {
  ok: { text: 'text-emerald-400', edge: 'border-emerald-500' },
  syncing: { text: 'text-amber-300', edge: 'border-amber-400' },
  error: { text: 'text-red-400', edge: 'border-red-500' },
  neutral: { text: 'text-slate-300', edge: 'border-slate-500' },
};

const RANK: Record<StateTone, number> = { error: 3, syncing: 2, ok: 1, neutral: 0 };

// Memoised, with a stable onRemove from the wall: a tile re-renders for its own feed and clock only, never because another tile changed.
export const ClusterTile = memo(function ClusterTile({ addr, onRemove }: { addr: string; onRemove: (addr: string) => void }) {
  const id = useId();
  const { snapshot, connection, lastMessageAt, via } = useClusterFeed(addr);
  const now = useNow();
  const silentMs = lastMessageAt ? now - lastMessageAt : Infinity;
  const stale = connection !== 'live' || silentMs > STALE_AFTER_MS;
  const sealed = snapshot ? snapshot.seal.sealed ?? snapshot.health.sealed : undefined;
  const name = snapshot?.cluster.name || snapshot?.health.cluster_name || null;

  const kinds: ReplicationKind[] = ['dr', 'performance'];
  const worst = kinds
    .map((k) => clusterState(summaryState(snapshot?.replication[k])).tone)
    .reduce<StateTone>((a, b) => (RANK[b] > RANK[a] ? b : a), sealed ? 'error' : 'neutral');
  const edge = stale ? 'border-slate-600' : sealed ? TONE.error.edge : worst === 'neutral' ? 'border-sky-500' : TONE[worst].edge;

  return (
    <article
      aria-labelledby={`${id}-name ${id}-addr`}
      data-testid="wall-tile"
      data-stale={stale}
      className={`relative flex min-h-72 flex-col rounded-xl border-l-8 bg-slate-900 p-6 shadow-xl ring-1 ring-slate-700 transition-[filter,opacity] ${edge} ${
        stale ? 'opacity-60 grayscale' : ''
      }`}
    >
      <div className="flex items-start justify-between gap-4">
        <div className="min-w-0">
          <h2 id={`${id}-name`} className="truncate text-4xl font-bold tracking-tight text-white">
            {name ?? (lastMessageAt ? 'Unnamed cluster' : 'Connecting…')}
          </h2>
          <p id={`${id}-addr`} className="mt-1 truncate font-mono text-lg text-slate-400">
            {addr}
          </p>
          {via !== addr ? <p className="truncate text-lg text-amber-300" data-testid="wall-via">{`via ${via}: the watched node does not answer`}</p> : null}
        </div>
        <SealBadge sealed={sealed} />
      </div>

      <div className="mt-5 flex-1 space-y-4">
        {snapshot?.ha?.length ? <HaNodesList nodes={snapshot.ha} self={addr} /> : null}
        {snapshot ? (
          <KindRows replication={snapshot.replication} addr={addr} />
        ) : (
          <p className="text-2xl text-slate-400">Waiting for the status feed…</p>
        )}
      </div>

      <p
        role="status"
        className={`mt-4 h-9 rounded-md px-3 py-1 text-xl font-semibold ${stale ? 'bg-slate-700 text-slate-100' : 'text-transparent'}`}
        data-testid="stale-label"
      >
        {stale ? (lastMessageAt ? `Stale — no updates for ${Math.max(0, Math.floor(silentMs / 1000))}s` : 'Stale — no connection yet') : 'Live'}
      </p>
      <button
        type="button"
        onClick={() => onRemove(addr)}
        aria-label={`Remove ${addr}`}
        className="absolute right-2 bottom-2 rounded px-2 py-1 text-sm text-slate-500 opacity-0 outline-none hover:text-white focus-visible:opacity-100 focus-visible:ring-2 focus-visible:ring-sky-400 [article:hover_&]:opacity-100"
      >
        Remove
      </button>
    </article>
  );
});

/** The twice-a-second stale-counter render leaves these alone unless the replication status itself changed. */
const KindRows = memo(function KindRows({ replication, addr }: { replication: Record<ReplicationKind, ReplicationModeStatus>; addr: string }) {
  return (
    <>
      <KindRow kind="dr" status={replication.dr} addr={addr} />
      <KindRow kind="performance" status={replication.performance} addr={addr} />
    </>
  );
});

function SealBadge({ sealed }: { sealed: boolean | undefined }) {
  if (sealed === undefined) return <span className="h-10 w-36" />;
  return (
    <span
      className={`shrink-0 rounded-md px-3 py-1.5 text-xl font-bold uppercase tracking-wide ${sealed ? 'bg-red-600 text-white' : 'bg-emerald-900 text-emerald-200'}`}
      data-testid="seal-state"
    >
      {sealed ? 'Sealed' : 'Unsealed'}
    </span>
  );
}

/** The drill screen runs in a signed-in console: the DR primary's, with this cluster preselected in its role. */
export function drillHref(addr: string, status: ReplicationModeStatus): string | null {
  const primary = status.mode === 'primary' ? addr : status.mode === 'secondary' ? status.primaries?.[0]?.api_address?.replace(/\/+$/, '') : undefined;
  if (!primary) return null;
  const q = new URLSearchParams({ primary, ...(status.mode === 'secondary' ? { secondary: addr } : {}) });
  return `${primary}/ui/vault/replication/drills/new?${q}`;
}

function KindRow({ kind, status, addr }: { kind: ReplicationKind; status: ReplicationModeStatus; addr: string }) {
  const role = roleLabel(kind, status);
  if (!role) {
    return (
      <p className="text-2xl text-slate-500" data-testid={`wall-${kind}`}>
        {kind === 'dr' ? 'DR' : 'Perf'} replication disabled
      </p>
    );
  }
  const s = clusterState(summaryState(status));
  const wal = lastWal(status);
  const lag = lagMs(status);
  return (
    <div data-testid={`wall-${kind}`}>
      <div className="flex items-center justify-between gap-4">
        <span className="text-2xl font-semibold text-white">{role}</span>
        <span className={`flex items-center gap-2 text-2xl font-semibold ${TONE[s.tone].text}`} title={s.meaning}>
          <StateGlyph glyph={s.glyph} className="h-7 w-7" />
          <span className="font-mono">{s.label}</span>
        </span>
      </div>
      <p className="mt-1 flex flex-wrap gap-x-6 text-xl text-slate-300 tabular-nums">
        <span>
          {status.mode === 'secondary' ? 'Remote WAL' : 'Last WAL'} <span className="font-mono text-white">{wal ?? '—'}</span>
        </span>
        {status.mode === 'secondary' ? (
          <span>
            Lag <span className="font-mono text-white">{lag === null ? '—' : `${lag} ms`}</span>
          </span>
        ) : (
          <span>
            Secondaries <span className="font-mono text-white">{knownSecondaryCount(status)}</span>
          </span>
        )}
        {kind === 'dr' && drillHref(addr, status) ? (
          <a href={drillHref(addr, status)!} className="ml-auto text-lg text-sky-300 underline-offset-4 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-sky-400">
            DR drill
          </a>
        ) : null}
      </p>
    </div>
  );
}

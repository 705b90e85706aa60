'use client';
// The frame of /ui/vault/replication/<kind>/*: breadcrumbs, the title with
// its role tag, the live indicator and the tabs Details / Manage /
// Secondaries (primary only) — §7.3.
import type { ReactNode } from 'react';
import { Breadcrumb } from '@/components/ui/breadcrumb';
import { KIND_TITLE } from '@/lib/cluster-states';
import { isEnabled } from '@/lib/api/replication';
import type { ReplicationKind } from '@/lib/types/replication';
import { FeedIndicator } from './feed-indicator';
import { LINK_CLASS } from './form-styles';
import { ModeBadge } from './mode-badge';
import { ModeTabs, type ModeTab } from './mode-tabs';
import { ReplicationSkeleton } from './replication-skeleton';
import { useReplicationStatus } from './use-replication-status';

export function ModeShell({ kind, children }: { kind: ReplicationKind; children: ReactNode }) {
  const { data, connection } = useReplicationStatus();
  if (!data) return <ReplicationSkeleton />;
  const status = data[kind];
  const base = `/vault/replication/${kind}`;
  const tabs: ModeTab[] = [
    { label: 'Details', href: base },
    { label: 'Manage', href: `${base}/manage` },
  ];
  if (status.mode === 'primary') tabs.push({ label: 'Secondaries', href: `${base}/secondaries`, matchPrefix: true });

  return (
    <>
      <Breadcrumb trail={[{ label: 'Replication', href: '/vault/replication' }]} current={KIND_TITLE[kind]} />
      <div className="mb-4 flex flex-wrap items-center justify-between gap-4">
        <div className="flex items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight text-gray-900">{KIND_TITLE[kind]}</h1>
          {isEnabled(status) ? <ModeBadge mode={status.mode} /> : null}
        </div>
        <div className="flex items-center gap-4">
          {kind === 'dr' && status.mode === 'primary' ? (
            // A full page load, not a client-side navigation: the drill page's own Content-Security-Policy lets it call the
            // other clusters, and a document keeps the policy it was loaded with.
            <a href="/ui/vault/replication/drills/new" className={LINK_CLASS}>
              Run a DR drill
            </a>
          ) : null}
          <FeedIndicator connection={connection} />
        </div>
      </div>
      {isEnabled(status) ? <ModeTabs tabs={tabs} /> : null}
      <div className="mt-6">{children}</div>
    </>
  );
}

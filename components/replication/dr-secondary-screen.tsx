'use client';
// /ui/vault/replication-dr-promote: the DR secondary's own screen (§7.7),
// outside the signed-in frame. Its status endpoints are unauthenticated and
// its actions take a DR operation token, so it needs no Vault token.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect } from 'react';
import { healthQuery } from '@/lib/api/cluster-status';
import { clearSession } from '@/lib/api/session';
import { signInHref } from '@/lib/api/sign-in';
import { CofferLogo } from '@/components/ui/coffer-logo';
import { FeedIndicator } from './feed-indicator';
import { LINK_CLASS } from './form-styles';
import { ManageActions } from './manage/manage-actions';
import { IdBadge, ModeBadge } from './mode-badge';
import { ModeTabs } from './mode-tabs';
import { ReplicationSkeleton } from './replication-skeleton';
import { SecondaryDashboard } from './secondary-dashboard';
import { useReplicationStatus } from './use-replication-status';
import { DR_SCREEN_PATH } from './dr-secondary-gate';

export function DrSecondaryScreen({ tab }: { tab: 'details' | 'manage' }) {
  const health = useQuery(healthQuery());
  const { data, connection } = useReplicationStatus({ anonymous: true });
  const dr = data?.dr;
  const queryClient = useQueryClient();
  const isSecondary = dr?.mode === 'secondary';

  // A DR secondary accepts no Vault token, and the one this tab held died with the wipe.
  useEffect(() => {
    if (!isSecondary) return;
    queryClient.removeQueries({ queryKey: ['auth'] });
    clearSession();
  }, [isSecondary, queryClient]);

  return (
    <div className="min-h-full">
      <header className="border-b border-chrome-line bg-chrome text-white">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-3 px-4 text-chrome sm:px-6">
          <CofferLogo />
          <span className="text-base font-semibold tracking-tight text-white">Coffer</span>
          <span className="ml-2 truncate font-mono text-sm text-chrome-text">{health.data?.cluster_name ?? ''}</span>
          <span className="ml-auto">
            <FeedIndicator connection={connection} tone="dark" />
          </span>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-7xl px-4 py-8 sm:px-6">
        {!data ? (
          <ReplicationSkeleton />
        ) : dr?.mode !== 'secondary' ? (
          <NotSecondary mode={dr?.mode ?? 'disabled'} />
        ) : (
          <>
            <div className="mb-4 flex flex-wrap items-center gap-3">
              <h1 className="text-2xl font-semibold tracking-tight text-gray-900">Disaster Recovery</h1>
              <ModeBadge mode={dr.mode} />
              <IdBadge label="Secondary ID" value={dr.secondary_id ?? ''} />
            </div>
            <p className="mb-4 text-sm text-gray-600">
              This cluster is a DR secondary: a warm standby that serves no client requests until it is promoted.
              <DrillLink primaryAddr={dr.primaries?.[0]?.api_address} />
            </p>
            <ModeTabs
              tabs={[
                { label: 'Details', href: DR_SCREEN_PATH },
                { label: 'Manage', href: `${DR_SCREEN_PATH}/manage` },
              ]}
            />
            <div className="mt-6">
              {tab === 'details' ? (
                <SecondaryDashboard kind="dr" status={dr} />
              ) : (
                // This screen holds no token (the wipe took it): after a promotion or disable, go straight to sign-in.
                <ManageActions kind="dr" token={null} afterPromote={signInHref('/vault/replication/dr')} afterDisable={signInHref('/vault/replication')} />
              )}
            </div>
          </>
        )}
      </main>
    </div>
  );
}

function NotSecondary({ mode }: { mode: string }) {
  return (
    <section className="mx-auto max-w-xl rounded-lg border border-gray-200 bg-white p-8 text-center shadow-sm">
      <h1 className="text-xl font-semibold text-gray-900">Disaster Recovery secondary not set up</h1>
      <p className="mt-2 text-sm text-gray-600">
        This cluster is not a DR secondary (Disaster Recovery mode: <span className="font-mono">{mode}</span>)
        {mode === 'primary' ? ', so it serves clients again. Sign in to manage it.' : '.'}
      </p>
      <Link href="/vault/replication/dr" className={`${LINK_CLASS} mt-6 inline-block`}>
        Go back
      </Link>
    </section>
  );
}

/** Drills run from a signed-in console, which a DR secondary cannot have: the link goes to its primary's, this cluster preselected. */
function DrillLink({ primaryAddr }: { primaryAddr: string | undefined }) {
  if (!primaryAddr) return null;
  const here = typeof window === 'undefined' ? '' : window.location.origin;
  const href = `${primaryAddr.replace(/\/+$/, '')}/ui/vault/replication/drills/new?primary=${encodeURIComponent(primaryAddr)}&secondary=${encodeURIComponent(here)}`;
  return (
    <>
      {' '}
      <a href={href} className={LINK_CLASS}>
        Run a DR drill from the primary&apos;s console
      </a>
    </>
  );
}

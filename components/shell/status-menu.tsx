'use client';
// Vault's "Status" menu: which cluster this is, whether it is sealed, and the
// way into the replication screens.
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { errorMessage } from '@/lib/api/api-error';
import { healthQuery, sealStatusQuery } from '@/lib/api/cluster-status';
import { useStatusFeed } from '@/lib/api/status-feed';
import { MenuButton, MenuLink, MenuSeparator } from '@/components/ui/menu-button';
import { StatusMenuState } from '@/components/replication/status-menu-state';
import { Chevron } from './chevron';
import { StatusMenuHa } from './status-menu-ha';
import { HEADER_BUTTON_CLASS } from './header-styles';

type Seal = 'sealed' | 'unsealed' | 'unknown';

const SEAL_TONE: Record<Seal, { label: string; dot: string }> = {
  unsealed: { label: 'Unsealed', dot: 'bg-ok' },
  sealed: { label: 'Sealed', dot: 'bg-danger' },
  unknown: { label: 'Status unknown', dot: 'bg-gray-400' },
};

export function StatusMenu() {
  const health = useQuery(healthQuery());
  const seal = useQuery(sealStatusQuery());
  const replicationHeadingId = useId();
  // Keeps health, seal and replication status live on every page.
  useStatusFeed();

  const sealed = seal.data?.sealed ?? health.data?.sealed;
  const state: Seal = sealed === undefined ? 'unknown' : sealed ? 'sealed' : 'unsealed';
  const tone = SEAL_TONE[state];
  const clusterName = health.data?.cluster_name ?? seal.data?.cluster_name;
  const version = health.data?.version ?? seal.data?.version;
  const failure = health.error ?? seal.error;

  return (
    <MenuButton
      menuLabel="Status"
      buttonClassName={HEADER_BUTTON_CLASS}
      label={
        <>
          <span aria-hidden="true" className={`h-2 w-2 rounded-full ${tone.dot}`} />
          Status
          <Chevron />
        </>
      }
    >
      <div className="px-4 py-3">
        <p className="text-xs font-semibold uppercase tracking-wide text-gray-500">Cluster</p>
        <p className="mt-1 truncate font-mono text-sm font-semibold text-gray-900" data-testid="status-cluster-name">
          {clusterName ?? (health.isPending ? 'Loading…' : 'Unnamed cluster')}
        </p>
        <p className="mt-2 flex items-center gap-2 text-sm text-gray-800" data-testid="status-seal">
          <span aria-hidden="true" className={`h-2 w-2 rounded-full ${tone.dot}`} />
          {tone.label}
        </p>
        {version ? <p className="mt-1 text-xs text-gray-500">Version {version}</p> : null}
        {failure ? <p className="mt-2 text-xs text-red-700">{errorMessage(failure)}</p> : null}
      </div>
      <StatusMenuHa />
      <MenuSeparator />
      <div role="group" aria-labelledby={replicationHeadingId}>
        <p id={replicationHeadingId} className="px-4 pt-2 pb-1 text-xs font-semibold uppercase tracking-wide text-gray-500">
          Replication
        </p>
        <MenuLink href="/vault/replication/dr" prefetch={false}>
          <span className="whitespace-nowrap">Disaster Recovery</span>
          <StatusMenuState kind="dr" fallbackMode={health.data?.replication_dr_mode} />
        </MenuLink>
        <MenuLink href="/vault/replication/performance" prefetch={false}>
          <span>Performance</span>
          <StatusMenuState kind="performance" fallbackMode={health.data?.replication_performance_mode} />
        </MenuLink>
      </div>
      <MenuSeparator />
      {/* Vault's Status menu links the integrated storage page too; after replication, whose items keyboard users reach first. */}
      <MenuLink href="/vault/storage/raft" prefetch={false}>
        <span>Raft Storage</span>
      </MenuLink>
    </MenuButton>
  );
}

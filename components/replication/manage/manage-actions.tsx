'use client';
// The Manage tab (§7.5): the action blocks for this kind and mode. On a DR
// secondary they run without a Vault token; the DR operation token from the
// wizard is shared by Promote, Update primary and Disable.
import { useState } from 'react';
import { isEnabled } from '@/lib/api/replication';
import type { ReplicationKind } from '@/lib/types/replication';
import { ReplicationSkeleton } from '../replication-skeleton';
import { useReplicationStatus } from '../use-replication-status';
import { BatchDrTokenAction } from './batch-dr-token-action';
import { DemoteAction } from './demote-action';
import { DisableAction } from './disable-action';
import { OperationTokenWizard } from './operation-token-wizard';
import { PromoteAction } from './promote-action';
import { RevokeSecondaryAction } from './revoke-secondary-action';
import { UpdatePrimaryAction } from './update-primary-action';

interface Props {
  kind: ReplicationKind;
  /** null on the DR-secondary screen, where no Vault token works. */
  token: string | null;
  /** Where to go after a promotion or disable (the DR screen differs). */
  afterPromote?: string;
  afterDisable?: string;
}

export function ManageActions({ kind, token, afterPromote, afterDisable = '/vault/replication' }: Props) {
  const { data } = useReplicationStatus({ anonymous: token === null });
  const [opToken, setOpToken] = useState('');
  if (!data) return <ReplicationSkeleton />;
  const status = data[kind];

  if (status.mode === 'primary' && token) {
    return (
      <div className="space-y-4">
        <DemoteAction kind={kind} token={token} performanceEnabled={isEnabled(data.performance)} />
        <DisableAction kind={kind} side="primary" token={token} goTo={afterDisable} />
        <RevokeSecondaryAction kind={kind} token={token} knownIds={status.known_secondaries ?? []} />
        {kind === 'dr' ? <BatchDrTokenAction token={token} /> : null}
      </div>
    );
  }
  if (status.mode === 'secondary') {
    return (
      <div className="space-y-4">
        <PromoteAction kind={kind} token={token} operationToken={opToken} onOperationToken={setOpToken} goTo={afterPromote} />
        {kind === 'dr' ? <OperationTokenWizard onToken={setOpToken} /> : null}
        <UpdatePrimaryAction kind={kind} token={token} operationToken={opToken} onOperationToken={setOpToken} currentPrimary={status.primary_cluster_addr} />
        <DisableAction kind={kind} side="secondary" token={token} operationToken={opToken} onOperationToken={setOpToken} goTo={afterDisable} />
      </div>
    );
  }
  if (status.mode === 'bootstrapping') {
    return <DisableAction kind={kind} side="primary" token={token} goTo={afterDisable} />;
  }
  return <p className="text-sm text-gray-600">Replication is not enabled, so there is nothing to manage. Enable it on the Details tab.</p>;
}

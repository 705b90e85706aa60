'use client';
// The Manage tab inside the signed-in console.
import { useToken } from '@/components/shell/use-token';
import type { ReplicationKind } from '@/lib/types/replication';
import { ManageActions } from './manage-actions';

export function ManagePage({ kind }: { kind: ReplicationKind }) {
  const token = useToken();
  return <ManageActions kind={kind} token={token} afterPromote={`/vault/replication/${kind}`} />;
}

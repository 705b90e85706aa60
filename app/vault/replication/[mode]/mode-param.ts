// The [mode] segment: "dr" or "performance"; anything else is a 404.
import { notFound } from 'next/navigation';
import { isReplicationKind } from '@/lib/api/replication';
import type { ReplicationKind } from '@/lib/types/replication';

export async function kindParam(params: Promise<{ mode: string }>): Promise<ReplicationKind> {
  const { mode } = await params;
  if (!isReplicationKind(mode)) notFound();
  return mode;
}

import type { Metadata } from 'next';
import { ReplicationIndex } from '@/components/replication/replication-index';

export const metadata: Metadata = { title: 'Replication' };

export default function ReplicationPage() {
  return <ReplicationIndex />;
}

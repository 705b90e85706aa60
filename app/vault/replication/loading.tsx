import { ReplicationSkeleton } from '@/components/replication/replication-skeleton';

export default function Loading() {
  return <ReplicationSkeleton />;
}

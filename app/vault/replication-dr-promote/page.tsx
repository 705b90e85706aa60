import type { Metadata } from 'next';
import { DrSecondaryScreen } from '@/components/replication/dr-secondary-screen';

export const metadata: Metadata = { title: 'Disaster Recovery secondary' };

export default function DrPromoteDetailsPage() {
  return <DrSecondaryScreen tab="details" />;
}

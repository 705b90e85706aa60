import type { Metadata } from 'next';
import { DrSecondaryScreen } from '@/components/replication/dr-secondary-screen';

export const metadata: Metadata = { title: 'Promote Disaster Recovery secondary' };

export default function DrPromoteManagePage() {
  return <DrSecondaryScreen tab="manage" />;
}

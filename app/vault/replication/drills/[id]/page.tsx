import type { Metadata } from 'next';
import { StoredDrillReport } from '@/components/drill/stored-drill-report';

export const metadata: Metadata = { title: 'DR drill report' };

export default async function DrillReportPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <StoredDrillReport id={decodeURIComponent(id)} />;
}

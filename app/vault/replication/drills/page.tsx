import type { Metadata } from 'next';
import { DrillHistory } from '@/components/drill/drill-history';

export const metadata: Metadata = { title: 'DR drills' };

export default function DrillsPage() {
  return <DrillHistory />;
}

import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DrillStepper } from '@/components/drill/drill-stepper';
import { ReplicationSkeleton } from '@/components/replication/replication-skeleton';

export const metadata: Metadata = { title: 'New DR drill' };

export default function NewDrillPage() {
  // useSearchParams (?primary=&secondary= from the links) needs a Suspense boundary.
  return (
    <Suspense fallback={<ReplicationSkeleton label="Loading the drill planner" />}>
      <DrillStepper />
    </Suspense>
  );
}

import { Breadcrumb, type Crumb } from '@/components/ui/breadcrumb';

const TRAIL: Crumb[] = [
  { label: 'Replication', href: '/vault/replication' },
  { label: 'Disaster Recovery', href: '/vault/replication/dr' },
];
const HISTORY: Crumb = { label: 'DR drills', href: '/vault/replication/drills' };

/** Replication › DR drills › <current>, hidden in print. */
export function DrillBreadcrumb({ current }: { current: string }) {
  const trail = current === HISTORY.label ? TRAIL : [...TRAIL, HISTORY];
  return <Breadcrumb trail={trail} current={current} className="print:hidden" />;
}

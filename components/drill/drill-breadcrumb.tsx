import Link from 'next/link';
import { LINK_CLASS } from '@/components/replication/form-styles';

/** Replication › DR drills › <current>, hidden in print. */
export function DrillBreadcrumb({ current }: { current: string }) {
  const inHistory = current !== 'DR drills';
  return (
    <nav aria-label="Breadcrumb" className="mb-2 text-sm text-gray-600 print:hidden">
      <ol className="flex items-center gap-2">
        <li>
          <Link href="/vault/replication" className={LINK_CLASS}>
            Replication
          </Link>
        </li>
        <li aria-hidden="true">›</li>
        <li>
          <Link href="/vault/replication/dr" className={LINK_CLASS}>
            Disaster Recovery
          </Link>
        </li>
        <li aria-hidden="true">›</li>
        {inHistory ? (
          <>
            <li>
              <Link href="/vault/replication/drills" className={LINK_CLASS}>
                DR drills
              </Link>
            </li>
            <li aria-hidden="true">›</li>
          </>
        ) : null}
        <li aria-current="page">{current}</li>
      </ol>
    </nav>
  );
}

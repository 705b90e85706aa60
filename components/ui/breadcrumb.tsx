import Link from 'next/link';
import { Fragment } from 'react';
import { LINK_CLASS } from '@/components/replication/form-styles';

export interface Crumb {
  label: string;
  href: string;
}

/** Replication › Disaster Recovery › …: each ancestor a link, the current page last. */
export function Breadcrumb({ trail, current, className = '' }: { trail: Crumb[]; current: string; className?: string }) {
  return (
    <nav aria-label="Breadcrumb" className={`mb-2 text-sm text-gray-600 ${className}`.trim()}>
      <ol className="flex items-center gap-2">
        {trail.map((c) => (
          <Fragment key={c.href}>
            <li>
              <Link href={c.href} className={LINK_CLASS}>
                {c.label}
              </Link>
            </li>
            <li aria-hidden="true">›</li>
          </Fragment>
        ))}
        <li aria-current="page">{current}</li>
      </ol>
    </nav>
  );
}

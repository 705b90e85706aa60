'use client';
// The tab row of a replication page; links, so each tab has its own URL.
import Link from 'next/link';
import { usePathname } from 'next/navigation';

export interface ModeTab {
  label: string;
  href: string;
  /** Also active on sub-pages (Secondaries › Add). */
  matchPrefix?: boolean;
}

export function ModeTabs({ tabs, label = 'Replication sections' }: { tabs: ModeTab[]; label?: string }) {
  const pathname = usePathname();
  return (
    <nav aria-label={label} className="border-b border-gray-200">
      <ul className="-mb-px flex gap-6">
        {tabs.map((t) => {
          const active = pathname === t.href || (t.matchPrefix === true && pathname.startsWith(`${t.href}/`));
          return (
            <li key={t.href}>
              <Link
                href={t.href}
                aria-current={active ? 'page' : undefined}
                className={`block border-b-2 px-1 pb-3 text-sm font-semibold outline-none focus-visible:ring-2 focus-visible:ring-brand ${
                  active ? 'border-brand text-brand' : 'border-transparent text-gray-600 hover:border-gray-300 hover:text-gray-900'
                }`}
              >
                {t.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

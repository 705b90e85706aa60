'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { NAV_LINKS, isActive } from './nav-links';

export function TopNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main">
      <ul className="flex items-center gap-1">
        {NAV_LINKS.map((l) => {
          const active = isActive(pathname, l.href);
          return (
            <li key={l.href}>
              <Link
                href={l.href}
                aria-current={active ? 'page' : undefined}
                className={`block rounded px-3 py-1.5 text-sm font-medium outline-none transition-colors focus-visible:ring-2 focus-visible:ring-brand ${
                  active ? 'bg-chrome-raised text-white' : 'text-chrome-text hover:bg-chrome-raised hover:text-white'
                }`}
              >
                {l.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

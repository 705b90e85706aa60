// secret / app / db — each folder a link back up.
import Link from 'next/link';
import { kvListHref } from './kv-hrefs';

export function KvBreadcrumbs({ mount, path }: { mount: string; path: string }) {
  const parts = path.split('/').filter(Boolean);
  const isDir = path.endsWith('/') || path === '';
  return (
    <nav aria-label="Breadcrumb" className="mb-2 text-sm text-gray-600">
      <ol className="flex flex-wrap items-center gap-1 font-mono">
        <li>
          <Link href="/vault/secrets" className="text-brand hover:underline">
            secrets
          </Link>
        </li>
        <li aria-hidden="true">/</li>
        <li>
          <Link href={kvListHref(mount, '')} className="text-brand hover:underline">
            {mount.replace(/\/+$/, '')}
          </Link>
        </li>
        {parts.map((p, i) => {
          const last = i === parts.length - 1;
          const dir = `${parts.slice(0, i + 1).join('/')}/`;
          return (
            <li key={dir} className="flex items-center gap-1">
              <span aria-hidden="true">/</span>
              {last && !isDir ? (
                <span aria-current="page" className="text-gray-900">
                  {p}
                </span>
              ) : (
                <Link href={kvListHref(mount, dir)} className="text-brand hover:underline" aria-current={last ? 'page' : undefined}>
                  {p}
                </Link>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

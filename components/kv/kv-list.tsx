'use client';
// A KV folder: its keys (folders first), each opening the folder or the secret.
import { useSuspenseQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { PageHeader } from '@/components/ui/page-header';
import { kvListQuery } from '@/lib/api/kv';
import { KvBreadcrumbs } from './kv-breadcrumbs';
import { kvCreateHref, kvListHref, kvShowHref } from './kv-hrefs';
import { KV_PRIMARY_BUTTON } from './kv-styles';
import { KvIcon } from './kv-icon';
import { useKvMount } from './use-kv-mount';

export function KvList({ mountName, dir }: { mountName: string; dir: string }) {
  const { token, mount } = useKvMount(mountName);
  const { data: keys } = useSuspenseQuery(kvListQuery(token, mount, dir));
  return (
    <>
      <KvBreadcrumbs mount={mount.path} path={dir} />
      <PageHeader
        title={`${mount.path}${dir}`}
        description={`Key/value secrets engine, version ${mount.version}.`}
        actions={
          <Link href={kvCreateHref(mount.path, dir)} className={KV_PRIMARY_BUTTON}>
            Create secret
          </Link>
        }
      />
      {keys.length === 0 ? (
        <p className="rounded-md border border-dashed border-gray-300 bg-white px-4 py-10 text-center text-sm text-gray-600">
          No secrets here yet. Use Create secret to add one.
        </p>
      ) : (
        <ul aria-label="Secrets" className="divide-y divide-gray-100 rounded-md border border-gray-200 bg-white">
          {keys.map((k) => {
            const folder = k.endsWith('/');
            return (
              <li key={k}>
                <Link
                  href={folder ? kvListHref(mount.path, `${dir}${k}`) : kvShowHref(mount.path, `${dir}${k}`)}
                  className="flex items-center gap-3 px-4 py-3 font-mono text-sm text-gray-900 outline-none hover:bg-gray-50 focus-visible:bg-blue-50"
                >
                  <KvIcon folder={folder} />
                  {k}
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}

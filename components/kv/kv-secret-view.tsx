'use client';
// One secret: its keys and values, its version (KV v2, with a picker for older
// versions) and the way to edit it.
import { useQuery, useSuspenseQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useId } from 'react';
import { PageHeader } from '@/components/ui/page-header';
import { kvSecretQuery, kvVersionsQuery } from '@/lib/api/kv';
import { KvBreadcrumbs } from './kv-breadcrumbs';
import { kvCreateHref, kvEditHref, kvShowHref } from './kv-hrefs';
import { KV_INPUT, KV_PRIMARY_BUTTON } from './kv-styles';
import { useKvMount } from './use-kv-mount';

export function KvSecretView({ mountName, path, version }: { mountName: string; path: string; version?: number }) {
  const { token, mount } = useKvMount(mountName);
  const { data: secret } = useSuspenseQuery(kvSecretQuery(token, mount, path, version));
  const versions = useQuery({ ...kvVersionsQuery(token, mount, path), enabled: mount.version === 2 && secret !== null });
  const router = useRouter();
  const pickerId = useId();
  if (!secret) return <KvNotFound mount={mount.path} path={path} version={version} />;
  const entries = Object.entries(secret.data);

  return (
    <>
      <KvBreadcrumbs mount={mount.path} path={path} />
      <PageHeader
        title={path}
        description={
          secret.version !== null ? (
            <span className="flex flex-wrap items-center gap-3">
              <span className="rounded bg-gray-100 px-2 py-0.5 font-mono text-xs font-semibold text-gray-800" data-testid="secret-version">
                Version {secret.version}
              </span>
              {secret.createdTime ? <span>Created {new Date(secret.createdTime).toLocaleString()}</span> : null}
            </span>
          ) : undefined
        }
        actions={
          <Link href={kvEditHref(mount.path, path)} className={KV_PRIMARY_BUTTON}>
            Edit secret
          </Link>
        }
      />
      {versions.data && versions.data.length > 1 ? (
        <div className="mb-4 w-48">
          <label htmlFor={pickerId} className="block text-sm font-semibold text-gray-800">
            Version
          </label>
          <select
            id={pickerId}
            value={secret.version ?? ''}
            onChange={(e) => router.push(kvShowHref(mount.path, path, Number(e.target.value)))}
            className={KV_INPUT}
          >
            {versions.data.map((v) => (
              <option key={v.version} value={v.version} disabled={v.destroyed}>
                Version {v.version}
                {v.deleted ? ' (deleted)' : v.destroyed ? ' (destroyed)' : ''}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {secret.deleted ? (
        <p className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">This version has been deleted.</p>
      ) : entries.length === 0 ? (
        <p className="text-sm text-gray-600">This secret has no data.</p>
      ) : (
        <div className="overflow-x-auto rounded-md border border-gray-200 bg-white">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Secret data</caption>
            <thead className="border-b border-gray-200 bg-gray-50 text-xs font-semibold uppercase tracking-wide text-gray-600">
              <tr>
                <th scope="col" className="px-4 py-3">
                  Key
                </th>
                <th scope="col" className="px-4 py-3">
                  Value
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map(([k, v]) => (
                <tr key={k} className="border-b border-gray-100 last:border-b-0">
                  <th scope="row" className="px-4 py-3 font-mono font-medium text-gray-900">
                    {k}
                  </th>
                  <td className="whitespace-pre-wrap break-all px-4 py-3 font-mono text-gray-800">{typeof v === 'string' ? v : JSON.stringify(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function KvNotFound({ mount, path, version }: { mount: string; path: string; version?: number }) {
  return (
    <>
      <KvBreadcrumbs mount={mount} path={path} />
      <PageHeader title={path} />
      <div className="rounded-md border border-dashed border-gray-300 bg-white px-6 py-10 text-center">
        <p className="text-base font-semibold text-gray-900">{version ? `Version ${version} of this secret does not exist.` : 'This secret does not exist.'}</p>
        <p className="mt-1 text-sm text-gray-600">
          Nothing is stored at <span className="font-mono">{`${mount}${path}`}</span>
          {version ? ' in that version' : ''}.
        </p>
        <Link href={kvCreateHref(mount, path)} className={`${KV_PRIMARY_BUTTON} mt-5`}>
          Create secret
        </Link>
      </div>
    </>
  );
}

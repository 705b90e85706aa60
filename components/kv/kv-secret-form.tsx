'use client';
// Create a secret, or write a new version of one: a path and key/value rows.
import { useMutation, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useId, useState, type FormEvent } from 'react';
import { PageHeader } from '@/components/ui/page-header';
import { errorMessage } from '@/lib/api/api-error';
import { kvSecretQuery, parentDir, writeSecret, type KvMount } from '@/lib/api/kv';
import { KvBreadcrumbs } from './kv-breadcrumbs';
import { kvListHref, kvShowHref } from './kv-hrefs';
import { KV_INPUT, KV_PRIMARY_BUTTON, KV_ROW_INPUT, KV_SECONDARY_BUTTON } from './kv-styles';
import { useKvMount } from './use-kv-mount';

interface Row {
  id: number;
  key: string;
  value: string;
}

let nextRowId = 1;
const row = (key = '', value = ''): Row => ({ id: nextRowId++, key, value });

export function KvCreateSecret({ mountName, initialDir }: { mountName: string; initialDir: string }) {
  const { token, mount } = useKvMount(mountName);
  return <KvSecretForm token={token} mount={mount} initialPath={initialDir} initialData={{}} editing={false} />;
}

export function KvEditSecret({ mountName, path }: { mountName: string; path: string }) {
  const { token, mount } = useKvMount(mountName);
  const { data } = useSuspenseQuery(kvSecretQuery(token, mount, path));
  return <KvSecretForm token={token} mount={mount} initialPath={path} initialData={data?.data ?? {}} editing />;
}

interface FormProps {
  token: string;
  mount: KvMount;
  initialPath: string;
  initialData: Record<string, unknown>;
  editing: boolean;
}

function KvSecretForm({ token, mount, initialPath, initialData, editing }: FormProps) {
  const id = useId();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [path, setPath] = useState(initialPath);
  const [rows, setRows] = useState<Row[]>(() => {
    const r = Object.entries(initialData).map(([k, v]) => row(k, typeof v === 'string' ? v : JSON.stringify(v)));
    return r.length > 0 ? r : [row()];
  });
  const [problem, setProblem] = useState<string | null>(null);

  const save = useMutation({
    mutationFn: (data: Record<string, string>) => writeSecret(token, mount, path.trim(), data),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['kv', mount.path] });
      router.push(kvShowHref(mount.path, path.trim()));
    },
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (save.isPending) return;
    const filled = rows.filter((r) => r.key.trim() || r.value);
    const keys = filled.map((r) => r.key.trim());
    if (!path.trim() || path.trim().endsWith('/')) return setProblem('Enter a path for this secret (it cannot end in "/").');
    if (keys.some((k) => !k)) return setProblem('Every value needs a key.');
    if (new Set(keys).size !== keys.length) return setProblem('Keys must be unique.');
    setProblem(null);
    save.mutate(Object.fromEntries(filled.map((r) => [r.key.trim(), r.value])));
  }

  const update = (rid: number, patch: Partial<Row>) => setRows((rs) => rs.map((r) => (r.id === rid ? { ...r, ...patch } : r)));
  const error = problem ?? (save.error ? errorMessage(save.error) : null);
  const cancelHref = editing ? kvShowHref(mount.path, initialPath) : kvListHref(mount.path, parentDir(initialPath) || initialPath);

  return (
    <>
      <KvBreadcrumbs mount={mount.path} path={editing ? initialPath : initialPath || ''} />
      <PageHeader
        title={editing ? `Edit ${initialPath}` : 'Create secret'}
        description={editing && mount.version === 2 ? 'Saving writes a new version; earlier versions are kept.' : undefined}
      />
      <form onSubmit={onSubmit} noValidate className="max-w-3xl space-y-6">
        <div>
          <label htmlFor={`${id}-path`} className="block text-sm font-semibold text-gray-800">
            Path for this secret
          </label>
          <input
            id={`${id}-path`}
            type="text"
            spellCheck={false}
            autoComplete="off"
            readOnly={editing}
            value={path}
            onChange={(e) => setPath(e.target.value)}
            className={KV_INPUT}
          />
          <p className="mt-1 text-xs text-gray-600">Names with a “/” create folders, e.g. app/database.</p>
        </div>
        <fieldset>
          <legend className="text-sm font-semibold text-gray-800">Secret data</legend>
          <div className="mt-2 space-y-3">
            {rows.map((r, i) => (
              <div key={r.id} className="flex items-start gap-3">
                <input
                  type="text"
                  aria-label={`Key ${i + 1}`}
                  placeholder="key"
                  spellCheck={false}
                  autoComplete="off"
                  value={r.key}
                  onChange={(e) => update(r.id, { key: e.target.value })}
                  className={`${KV_ROW_INPUT} w-64 shrink-0`}
                />
                <textarea
                  aria-label={`Value ${i + 1}`}
                  placeholder="value"
                  rows={1}
                  spellCheck={false}
                  value={r.value}
                  onChange={(e) => update(r.id, { value: e.target.value })}
                  className={`${KV_ROW_INPUT} flex-1`}
                />
                <button
                  type="button"
                  aria-label={`Remove row ${i + 1}`}
                  disabled={rows.length === 1}
                  onClick={() => setRows((rs) => rs.filter((x) => x.id !== r.id))}
                  className={`${KV_SECONDARY_BUTTON} px-3`}
                >
                  ✕
                </button>
              </div>
            ))}
          </div>
          <button type="button" onClick={() => setRows((rs) => [...rs, row()])} className={`${KV_SECONDARY_BUTTON} mt-3`}>
            Add key
          </button>
        </fieldset>
        {error ? (
          <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {error}
          </div>
        ) : null}
        <div className="flex gap-3">
          <button type="submit" disabled={save.isPending} aria-busy={save.isPending} className={KV_PRIMARY_BUTTON}>
            Save
          </button>
          <Link href={cancelHref} className={KV_SECONDARY_BUTTON}>
            Cancel
          </Link>
        </div>
      </form>
    </>
  );
}

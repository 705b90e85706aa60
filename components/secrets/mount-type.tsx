import type { MountRow } from '@/lib/api/mounts';

/** "kv" plus its version ("kv v2") and a "local" tag for non-replicated mounts. */
export function MountType({ row }: { row: MountRow }) {
  return (
    <span className="inline-flex items-center gap-2">
      <span className="rounded bg-gray-100 px-2 py-0.5 font-mono text-xs text-gray-800">
        {row.type}
        {row.version ? ` v${row.version}` : ''}
      </span>
      {row.local ? <span className="rounded bg-amber-50 px-2 py-0.5 text-xs text-amber-800 ring-1 ring-amber-200">local</span> : null}
    </span>
  );
}

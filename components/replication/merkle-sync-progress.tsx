// The merkle-sync progress bar (sync_progress / sync_total_keys), with a
// reserved row when not syncing.
export function MerkleSyncProgress({ state, progress }: { state: string | undefined; progress?: { sync_progress: number; sync_total_keys: number } }) {
  const syncing = state === 'merkle-sync' && !!progress && progress.sync_total_keys > 0;
  const done = syncing ? Math.min(progress.sync_progress, progress.sync_total_keys) : 0;
  const total = syncing ? progress.sync_total_keys : 0;
  return (
    <div className="flex h-8 items-center gap-4">
      <span className="w-28 shrink-0 text-sm font-semibold text-gray-800">Merkle sync</span>
      {syncing ? (
        <>
          <progress
            value={done}
            max={total}
            aria-label="Merkle sync progress"
            className="h-2 flex-1 overflow-hidden rounded bg-gray-200 [&::-webkit-progress-bar]:bg-gray-200 [&::-webkit-progress-value]:bg-brand"
          />
          <span className="w-32 text-right font-mono text-xs tabular-nums text-gray-700">
            {done}/{total} keys
          </span>
        </>
      ) : (
        <span className="text-sm text-gray-500">Not syncing</span>
      )}
    </div>
  );
}

// "Syncing in progress" while a secondary is too far behind for stream-wals
// (merkle-diff / merkle-sync / connecting). The slot is always there, so the
// dashboard does not jump when the state flips.
import { SYNCING_STATES, isOkState } from '@/lib/cluster-states';

export function SyncingBanner({ state }: { state: string | undefined }) {
  const syncing = !!state && SYNCING_STATES.has(state);
  if (syncing) {
    return (
      <div role="status" className="mb-6 flex min-h-12 items-center gap-3 rounded-md border border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900">
        <span className="font-semibold">Syncing in progress</span>
        <span>This secondary is too far behind for normal WAL streaming and is catching up with its primary.</span>
      </div>
    );
  }
  return (
    <div className="mb-6 flex min-h-12 items-center gap-3 rounded-md border border-gray-200 bg-white px-4 py-2 text-sm text-gray-600">
      {isOkState(state) ? 'Everything is in sync.' : 'Not streaming from a primary.'}
    </div>
  );
}

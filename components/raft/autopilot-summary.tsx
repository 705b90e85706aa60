// Autopilot's view of the cluster above the peers: healthy or not, and how
// many voters may fail before the cluster loses quorum.
import type { AutopilotState } from '@/lib/api/raft';

export function AutopilotSummary({ state, error }: { state: AutopilotState | null | undefined; error: unknown }) {
  if (error) return <p className="text-sm text-gray-600">Autopilot state unavailable.</p>;
  if (!state) return <p className="text-sm text-gray-500">Loading autopilot state…</p>;
  return (
    <dl className="flex flex-wrap gap-x-8 gap-y-2 text-sm" aria-label="Autopilot">
      <div className="flex items-center gap-2">
        <dt className="text-gray-600">Cluster health</dt>
        <dd className="inline-flex items-center gap-2 font-semibold text-gray-900" data-testid="raft-cluster-health">
          <span aria-hidden="true" className={`h-2 w-2 rounded-full ${state.healthy ? 'bg-ok' : 'bg-danger'}`} />
          {state.healthy ? 'Healthy' : 'Unhealthy'}
        </dd>
      </div>
      <div className="flex items-center gap-2">
        <dt className="text-gray-600">Failure tolerance</dt>
        <dd className="font-semibold text-gray-900" data-testid="raft-failure-tolerance">
          {state.failure_tolerance} {state.failure_tolerance === 1 ? 'node' : 'nodes'}
        </dd>
      </div>
      <div className="flex items-center gap-2">
        <dt className="text-gray-600">Voters</dt>
        <dd className="font-semibold text-gray-900">{state.voters?.length ?? 0}</dd>
      </div>
    </dl>
  );
}

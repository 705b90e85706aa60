// One kind on the replication overview: enabled or not, mode, badges, and the
// way in ("Details" or "Enable").
import Link from 'next/link';
import { KIND_TITLE, summaryState } from '@/lib/cluster-states';
import { isEnabled, knownSecondaryCount, lastWal, shortId } from '@/lib/api/replication';
import type { ReplicationKind, ReplicationModeStatus } from '@/lib/types/replication';
import { CARD_CLASS, PRIMARY_BUTTON, SECONDARY_BUTTON } from './form-styles';
import { IdBadge, ModeBadge } from './mode-badge';
import { StateValue } from './state-glyph';

const DESCRIPTION: Record<ReplicationKind, string> = {
  dr: 'A warm standby: secondaries copy everything, including tokens and leases, and serve no clients until promoted.',
  performance: 'Secondaries copy configuration, policies and secrets, serve reads locally and forward writes to the primary.',
};

export function OverviewCard({ kind, status }: { kind: ReplicationKind; status: ReplicationModeStatus }) {
  const enabled = isEnabled(status);
  const titleId = `overview-${kind}`;
  return (
    <section aria-labelledby={titleId} className={CARD_CLASS}>
      <div className="flex flex-wrap items-center gap-2">
        <h2 id={titleId} className="text-lg font-semibold text-gray-900">
          {KIND_TITLE[kind]}
        </h2>
        {enabled ? (
          <>
            <span className="text-xs font-semibold uppercase tracking-wide text-ok">Enabled</span>
            <ModeBadge mode={status.mode} />
            <IdBadge label="Secondary ID" value={status.secondary_id ?? ''} />
            <IdBadge label="Cluster ID" value={shortId(status.cluster_id)} />
          </>
        ) : (
          <span className="text-xs font-semibold uppercase tracking-wide text-gray-500">Not enabled</span>
        )}
      </div>
      <p className="mt-2 text-sm text-gray-600">{DESCRIPTION[kind]}</p>
      {enabled ? (
        <dl className="mt-4 grid grid-cols-3 gap-3 text-sm">
          <div>
            <dt className="text-xs text-gray-500">State</dt>
            <dd className="mt-1">
              <StateValue state={summaryState(status)} size="sm" />
            </dd>
          </div>
          <div>
            <dt className="text-xs text-gray-500">{status.mode === 'secondary' ? 'Last remote WAL' : 'Last WAL'}</dt>
            <dd className="mt-1 font-mono tabular-nums">{lastWal(status) ?? '—'}</dd>
          </div>
          <div>
            <dt className="text-xs text-gray-500">Known secondaries</dt>
            <dd className="mt-1 font-mono tabular-nums">{status.mode === 'primary' ? knownSecondaryCount(status) : '—'}</dd>
          </div>
        </dl>
      ) : null}
      <div className="mt-5">
        <Link href={`/vault/replication/${kind}`} className={enabled ? PRIMARY_BUTTON : SECONDARY_BUTTON} aria-label={`${enabled ? 'Details' : 'Enable'}: ${KIND_TITLE[kind]}`}>
          {enabled ? 'Details' : 'Enable'}
        </Link>
      </div>
    </section>
  );
}

'use client';
// "Type of replication": the two radio cards of Vault's Enable Replication page.
import { useId } from 'react';
import type { ReplicationKind } from '@/lib/types/replication';

export const KIND_CARDS: { kind: ReplicationKind; title: string; description: string }[] = [
  {
    kind: 'dr',
    title: 'Disaster Recovery (DR)',
    description:
      'Designed to protect against catastrophic failure of entire clusters. Secondaries do not serve client requests until they are promoted to become a new primary.',
  },
  {
    kind: 'performance',
    title: 'Performance',
    description:
      'Scales workloads horizontally across clusters to make requests faster. Secondaries serve reads locally and forward writes to the primary.',
  },
];

export function ReplicationKindCards({ value, onChange }: { value: ReplicationKind; onChange: (k: ReplicationKind) => void }) {
  const id = useId();
  return (
    <fieldset>
      <legend className="text-sm font-semibold text-gray-800">Type of replication</legend>
      <p className="mt-1 text-sm text-gray-600">
        Both Performance and Disaster Recovery (DR) Replication share configuration, policies, and secrets with the primary cluster.
      </p>
      <div className="mt-3 grid gap-4 sm:grid-cols-2">
        {KIND_CARDS.map((c) => {
          const checked = value === c.kind;
          return (
            <label
              key={c.kind}
              className={`flex cursor-pointer gap-3 rounded-lg border bg-white p-4 shadow-sm transition-colors focus-within:ring-2 focus-within:ring-brand ${
                checked ? 'border-brand ring-1 ring-brand' : 'border-gray-200 hover:border-gray-300'
              }`}
            >
              <input
                type="radio"
                name={`${id}-kind`}
                value={c.kind}
                checked={checked}
                onChange={() => onChange(c.kind)}
                aria-labelledby={`${id}-${c.kind}-title`}
                aria-describedby={`${id}-${c.kind}-desc`}
                className="mt-1 h-4 w-4 accent-brand"
              />
              <span>
                <span id={`${id}-${c.kind}-title`} className="block text-base font-semibold text-gray-900">
                  {c.title}
                </span>
                <span id={`${id}-${c.kind}-desc`} className="mt-1 block text-sm text-gray-600">
                  {c.description}
                </span>
              </span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

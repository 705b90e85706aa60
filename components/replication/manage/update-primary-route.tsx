'use client';
// The two ways Vault's update-primary re-points a secondary: a new activation
// token from the primary, or `update_primary_addrs`, the primary's cluster
// addresses, which needs no token (the secondary re-uses the credentials of its
// last activation). A radio group, so each choice is labelled and keyboard-reachable.
import { useId } from 'react';

export type UpdatePrimaryRoute = 'token' | 'addrs';

const ROUTES: { route: UpdatePrimaryRoute; title: string; description: string }[] = [
  {
    route: 'token',
    title: 'Activation token',
    description: 'A new secondary activation token, generated on the primary with “Add secondary”.',
  },
  {
    route: 'addrs',
    title: 'Primary cluster addresses',
    description:
      'No token: this secondary tries each address in order and follows the first primary that accepts it, such as its primary at a new address or a promoted DR secondary of it.',
  },
];

export function UpdatePrimaryRouteChoice({ value, onChange }: { value: UpdatePrimaryRoute; onChange: (r: UpdatePrimaryRoute) => void }) {
  const id = useId();
  return (
    <fieldset>
      <legend className="text-sm font-semibold text-gray-800">Re-point with</legend>
      <div className="mt-2 grid gap-2">
        {ROUTES.map((r) => {
          const checked = value === r.route;
          return (
            <label
              key={r.route}
              className={`flex cursor-pointer gap-3 rounded-md border p-3 focus-within:ring-2 focus-within:ring-brand ${
                checked ? 'border-brand bg-brand/5' : 'border-gray-200 hover:border-gray-300'
              }`}
            >
              <input
                type="radio"
                name={`${id}-route`}
                value={r.route}
                checked={checked}
                onChange={() => onChange(r.route)}
                aria-labelledby={`${id}-${r.route}-title`}
                aria-describedby={`${id}-${r.route}-desc`}
                className="mt-0.5 h-4 w-4 accent-brand"
              />
              <span>
                <span id={`${id}-${r.route}-title`} className="block text-sm font-semibold text-gray-900">
                  {r.title}
                </span>
                <span id={`${id}-${r.route}-desc`} className="mt-0.5 block text-xs text-gray-600">
                  {r.description}
                </span>
              </span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

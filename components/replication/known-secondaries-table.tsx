// The secondaries a primary knows: Secondary ID | URL | Connected? (§7.4),
// plus Coffer's Last error: why the primary's link to that secondary ended
// (`secondaries[].last_error`, which Vault does not send). Ids issued a token
// but never connected still show, as disconnected.
import type { ReactNode } from 'react';
import type { ReplicationModeStatus, ReplicationPeer } from '@/lib/types/replication';
import { LINK_CLASS } from './form-styles';

export interface SecondaryRow {
  id: string;
  apiAddress: string;
  connected: string;
  /** Why the link was given up or lost; '' when nothing went wrong. */
  lastError: string;
}

export function secondaryRows(status: ReplicationModeStatus): SecondaryRow[] {
  const peers = new Map<string, ReplicationPeer>();
  for (const p of status.secondaries ?? []) if (p.node_id) peers.set(p.node_id, p);
  const ids = [...new Set([...(status.known_secondaries ?? []), ...peers.keys()])];
  return ids.map((id) => ({
    id,
    apiAddress: peers.get(id)?.api_address ?? '',
    connected: peers.get(id)?.connection_status ?? 'disconnected',
    lastError: peers.get(id)?.last_error ?? '',
  }));
}

export function emptySecondariesText(kindLabel: string) {
  return `No known ${kindLabel} secondary clusters associated with this cluster. Associated secondary clusters will be listed here. Add your first secondary cluster to get started.`;
}

export function KnownSecondariesTable({
  rows,
  empty,
  actions,
}: {
  rows: SecondaryRow[];
  empty: ReactNode;
  actions?: (row: SecondaryRow) => ReactNode;
}) {
  if (rows.length === 0) return <p className="text-sm text-gray-600">{empty}</p>;
  return (
    <table className="w-full text-left text-sm">
      <caption className="sr-only">Known secondaries</caption>
      <thead className="border-b border-gray-200 text-xs font-semibold uppercase tracking-wide text-gray-600">
        <tr>
          <th scope="col" className="py-2 pr-4">
            Secondary ID
          </th>
          <th scope="col" className="py-2 pr-4">
            URL
          </th>
          <th scope="col" className="py-2 pr-4">
            Connected?
          </th>
          <th scope="col" className="py-2 pr-4">
            Last error
          </th>
          {actions ? (
            <th scope="col" className="py-2">
              <span className="sr-only">Actions</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id} className="border-b border-gray-100 last:border-b-0" data-testid={`secondary-${r.id}`}>
            <td className="py-2 pr-4 font-mono font-medium text-gray-900">{r.id}</td>
            <td className="py-2 pr-4">
              {r.apiAddress ? (
                <a href={`${r.apiAddress.replace(/\/+$/, '')}/ui/`} className={`${LINK_CLASS} font-mono`} target="_blank" rel="noreferrer">
                  {r.apiAddress}
                </a>
              ) : (
                <span className="text-gray-500">URL unavailable</span>
              )}
            </td>
            <td className="py-2 pr-4">
              <span className={`inline-flex w-28 items-center gap-2 ${r.connected === 'connected' ? 'text-ok' : 'text-danger'}`}>
                <span aria-hidden="true" className={`h-2 w-2 rounded-full ${r.connected === 'connected' ? 'bg-ok' : 'bg-danger'}`} />
                {r.connected}
              </span>
            </td>
            <td className="max-w-xs py-2 pr-4" data-testid="secondary-last-error">
              <LastError text={r.lastError} />
            </td>
            {actions ? <td className="py-2 text-right">{actions(r)}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The error in red with a warning mark (not colour alone), or a dash read out as "none". */
function LastError({ text }: { text: string }) {
  if (!text)
    return (
      <>
        <span aria-hidden="true" className="text-gray-500">
          —
        </span>
        <span className="sr-only">none</span>
      </>
    );
  return (
    <span className="flex items-start gap-1.5 text-xs font-medium text-red-800">
      <span aria-hidden="true" className="mt-px shrink-0 font-bold">
        ⚠
      </span>
      <span className="min-w-0 break-words">{text}</span>
    </span>
  );
}

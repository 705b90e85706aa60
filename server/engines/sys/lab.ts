import type { Core } from '../../core/core';
import type { Route } from '../../core/route';
import { VaultError } from '../../errors';
import { labLink } from '../../lab-link';
import { noContent, notFound } from './respond';

// sys/lab/clusters: on a cluster started by `coffer lab`, list the lab's
// clusters and stop (SIGKILL) or start one by name, proxied to the lab's
// loopback control endpoint — so the console and the CLI only ever talk to
// Coffer's API. Sudo: stopping a cluster without warning is an operator act.
// Outside a lab: 404, as for any path this server does not have.
const NAME = '[A-Za-z0-9][A-Za-z0-9_.-]{0,63}';
const LAB_TIMEOUT_MS = 150_000; // a start waits for the cluster to be up and unsealed

async function toLab(method: string, path: string): Promise<any> {
  const l = labLink()!;
  let r: Response;
  try {
    r = await fetch(`${l.url}${path}`, { method, headers: { Authorization: `Bearer ${l.token}` }, signal: AbortSignal.timeout(LAB_TIMEOUT_MS) });
  } catch (cause) {
    throw new VaultError('unavailable', 'the lab control endpoint did not answer', { cause });
  }
  const body = await r.json().catch(() => null);
  if (r.status === 404) throw new VaultError('invalid_request', body?.error ?? 'no such lab cluster');
  if (!r.ok) throw new VaultError('invalid_request', body?.error ?? `lab control answered ${r.status}`);
  return body;
}

export const labRoutes: Route<Core>[] = [
  {
    pattern: 'sys/lab/clusters/?',
    sudo: true,
    ops: {
      list: async () => {
        if (!labLink()) return notFound();
        const body = await toLab('GET', '/clusters');
        const clusters: { name: string; addr: string; running: boolean }[] = body?.clusters ?? [];
        return { data: { keys: clusters.map((c) => c.name), key_info: Object.fromEntries(clusters.map((c) => [c.name, { addr: c.addr, running: c.running }])) } };
      },
    },
  },
  {
    pattern: `sys/lab/clusters/(?<name>${NAME})/(?<action>stop|start)`,
    sudo: true,
    ops: {
      update: async ({ params }) => {
        if (!labLink()) return notFound();
        await toLab('POST', `/clusters/${encodeURIComponent(params.name)}/${params.action}`);
        return noContent();
      },
    },
  },
];

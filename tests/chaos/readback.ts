import type { ClusterDriver } from './cluster-driver';
import type { NodeName } from './history';
import { call, must } from './http';

// Reading the clients' keys back from a node: LIST gives which keys exist
// (enough to know what a promoted node holds), GET gives their values (for
// the final check). Keys are secret/data/chaos/<client>/<seq>.
const CONCURRENCY = 16;

function tokenFor(d: ClusterDriver, node: NodeName): string {
  return node === d.perfSecondary ? d.perfToken : d.rootToken;
}

async function list(d: ClusterDriver, node: NodeName, path: string): Promise<string[]> {
  const r = await call(d.node(node).addr, 'LIST', `secret/metadata/${path}`, { token: tokenFor(d, node), timeoutMs: 60_000 });
  if (r.status === 404) return [];
  if (r.status !== 200) throw new Error(`LIST ${path} on ${node}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data.keys as string[];
}

/** Every chaos key present on the node. */
export async function listKeys(d: ClusterDriver, node: NodeName): Promise<string[]> {
  const out: string[] = [];
  for (const folder of await list(d, node, 'chaos/')) {
    if (!folder.endsWith('/')) continue;
    for (const k of await list(d, node, `chaos/${folder}`)) out.push(`chaos/${folder}${k}`);
  }
  return out;
}

/** key → value of every chaos key on the node. */
export async function readAll(d: ClusterDriver, node: NodeName): Promise<Record<string, string>> {
  const keys = await listKeys(d, node);
  const values: Record<string, string> = {};
  let i = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (i < keys.length) {
        const key = keys[i++];
        const r = await must(d.node(node).addr, 'GET', `secret/data/${key}`, { token: tokenFor(d, node), timeoutMs: 30_000 });
        values[key] = String(r.body.data.data.v);
      }
    }),
  );
  return values;
}

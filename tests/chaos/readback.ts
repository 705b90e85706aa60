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

/** Where to read: a node's API address and a token it honours. */
export interface ReadTarget {
  addr: string;
  token: string;
}

const targetOf = (d: ClusterDriver, node: NodeName): ReadTarget => ({ addr: d.node(node).addr, token: tokenFor(d, node) });

async function list(t: ReadTarget, path: string): Promise<string[]> {
  const r = await call(t.addr, 'LIST', `secret/metadata/${path}`, { token: t.token, timeoutMs: 60_000 });
  if (r.status === 404) return [];
  if (r.status !== 200) throw new Error(`LIST ${path} at ${t.addr}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data.keys as string[];
}

/** Every chaos key present on the node. */
export async function listKeys(d: ClusterDriver, node: NodeName): Promise<string[]> {
  return listKeysAt(targetOf(d, node));
}

export async function listKeysAt(t: ReadTarget): Promise<string[]> {
  const out: string[] = [];
  for (const folder of await list(t, 'chaos/')) {
    if (!folder.endsWith('/')) continue;
    for (const k of await list(t, `chaos/${folder}`)) out.push(`chaos/${folder}${k}`);
  }
  return out;
}

/** key → value of every chaos key on the node. */
export async function readAll(d: ClusterDriver, node: NodeName): Promise<Record<string, string>> {
  return readAllAt(targetOf(d, node));
}

export async function readAllAt(t: ReadTarget): Promise<Record<string, string>> {
  const keys = await listKeysAt(t);
  const values: Record<string, string> = {};
  let i = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (i < keys.length) {
        const key = keys[i++];
        const r = await must(t.addr, 'GET', `secret/data/${key}`, { token: t.token, timeoutMs: 30_000 });
        values[key] = String(r.body.data.data.v);
      }
    }),
  );
  return values;
}

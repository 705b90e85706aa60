import { call, callAnswered, must } from './http';
import type { Cluster } from './run-context';

// A sample of existing secrets (KV v2, read on the primary before the
// disaster) to compare by value on the new primary afterwards.
const MAX_LISTS = 50;

export async function sampleSecrets(p: Cluster, size: number, skipMount: string, signal?: AbortSignal): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (size <= 0) return out;
  const mounts = await must(p.addr, 'GET', 'sys/mounts', { token: p.token, signal });
  const kv2 = Object.entries<any>(mounts?.data ?? mounts ?? {})
    .filter(([path, m]) => m?.type === 'kv' && String(m?.options?.version) === '2' && path !== `${skipMount}/`)
    .map(([path]) => path);
  let lists = 0;
  for (const mount of kv2) {
    const queue = [''];
    while (queue.length && out.size < size && lists < MAX_LISTS) {
      const dir = queue.shift()!;
      lists++;
      const r = await call(p.addr, 'GET', `${mount}metadata/${dir}?list=true`, { token: p.token, signal });
      for (const k of (r.body?.data?.keys ?? []) as string[]) {
        if (k.endsWith('/')) queue.push(dir + k);
        else if (out.size < size) {
          const v = await call(p.addr, 'GET', `${mount}data/${dir}${k}`, { token: p.token, signal });
          if (v.status === 200) out.set(`${mount}data/${dir}${k}`, JSON.stringify(v.body?.data?.data ?? null));
        }
      }
    }
  }
  return out;
}

/** Paths whose value on `c` differs from the sample (or is missing). */
export async function compareSample(c: Cluster, sample: Map<string, string>, signal?: AbortSignal): Promise<string[]> {
  const bad: string[] = [];
  for (const [path, want] of sample) {
    const r = await callAnswered(c.addr, 'GET', path, { token: c.token, signal });
    if (r.status !== 200 || JSON.stringify(r.body?.data?.data ?? null) !== want) bad.push(path);
  }
  return bad;
}

/** Canary sequence numbers present on `c`. */
export async function canariesOn(c: Cluster, mount: string, prefix: string, signal?: AbortSignal): Promise<Set<number>> {
  const r = await callAnswered(c.addr, 'GET', `${mount}/metadata/${prefix}/?list=true`, { token: c.token, signal, timeoutMs: 30_000 });
  if (r.status !== 200 && r.status !== 404) throw new Error(`listing canaries on ${c.name}: ${r.error}`);
  return new Set(((r.body?.data?.keys ?? []) as string[]).map(Number).filter(Number.isFinite));
}

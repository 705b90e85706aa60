import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePortPair, quietPort } from '../support/ports';
import { api, startConfiguredServer, type ConfiguredServer } from '../support/cluster';

// Test support for storage "raft" clusters: real `coffer server` processes
// whose supervised etcd members listen on quiet ports of their own.

export interface RaftNode extends ConfiguredServer {
  nodeId: string;
}

export async function raftPorts(): Promise<{ api: number; peer: number; client: number }> {
  return { api: await freePortPair(), peer: await quietPort(), client: await quietPort() };
}

export async function startRaftNode(opts: { name: string; ports?: { api: number; peer: number; client: number }; retryJoin?: string[]; healthTimeoutMs?: number }): Promise<RaftNode> {
  const ports = opts.ports ?? (await raftPorts());
  const joins = (opts.retryJoin ?? []).map((a) => `  retry_join {\n    leader_api_addr = "${a}"\n  }\n`).join('');
  const s = await startConfiguredServer({
    name: opts.name,
    port: ports.api,
    storageExtra: `  etcd_peer_address = "127.0.0.1:${ports.peer}"\n  etcd_client_address = "127.0.0.1:${ports.client}"\n${joins}`,
    healthTimeoutMs: opts.healthTimeoutMs ?? 120_000,
  });
  return { ...s, nodeId: `${opts.name}-${ports.api}` };
}

/** pids of etcd processes whose data dir is under `storagePath` (read from /proc). */
export function etcdProcessesFor(storagePath: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const args = readFileSync(join('/proc', d, 'cmdline'), 'utf8').split('\0');
      if (args[0]?.endsWith('etcd') && args.includes(`--data-dir=${join(storagePath, 'etcd')}`)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 120_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function unsealWith(addr: string, keys: string[]) {
  let last;
  for (const key of keys) last = await api(addr, 'PUT', 'sys/unseal', { body: { key } });
  return last!;
}

export async function peers(addr: string, token: string): Promise<{ node_id: string; address: string; leader: boolean; voter: boolean }[]> {
  const r = await api(addr, 'GET', 'sys/storage/raft/configuration', { token });
  if (r.status !== 200) throw new Error(`configuration: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data.config.servers;
}

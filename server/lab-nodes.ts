import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { xorDecode } from './core/generate-root';
import { until } from './lab-topology';

// `coffer lab -nodes=N`: each lab cluster becomes N real `coffer server`
// processes with storage "raft" whose retry_join stanzas list their siblings,
// so they form one HA cluster by themselves (seed 002's configuration). The
// lab then initialises one node, unseals every node with the cluster's key and
// gives the cluster the lab's shared root token, as -dev clusters have.

/** Ports between two nodes of one cluster: API, cluster (+1), etcd peer (+2) and etcd client (+3). */
export const LAB_NODE_PORT_STRIDE = 10;
/** Clusters sit 50 ports apart (dallas 8200, dallas-dr 8250, london 8300, …): at most 5 nodes fit. */
export const LAB_MAX_NODES = 5;
/** A joiner's unseal that failed server-side (its etcd member slow to start) is tried again this often. */
const UNSEAL_ATTEMPTS = 3;
const UNSEAL_RETRY_PAUSE_MS = 2_000;

export interface LabNode {
  /** dallas-1, dallas-2, … (also the raft node_id). */
  name: string;
  cluster: string;
  port: number;
}

type Call = (addr: string, method: string, path: string, token: string, body?: unknown) => Promise<{ status: number; body: any }>;

export function labNodes(cluster: { name: string; port: number }, n: number): LabNode[] {
  return Array.from({ length: n }, (_, i) => ({ name: `${cluster.name}-${i + 1}`, cluster: cluster.name, port: cluster.port + i * LAB_NODE_PORT_STRIDE }));
}

/** The node's HCL: storage "raft" with a retry_join stanza per sibling; writes it under dir and returns its path. */
export function writeNodeConfig(node: LabNode, siblings: LabNode[], host: string, dir: string, ui: boolean): string {
  const dataDir = join(dir, node.name);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const joins = siblings
    .filter((s) => s.name !== node.name)
    .map((s) => `  retry_join {\n    leader_api_addr = "http://${host}:${s.port}"\n  }\n`)
    .join('');
  const file = join(dir, `${node.name}.hcl`);
  writeFileSync(
    file,
    `storage "raft" {
  path    = "${dataDir}"
  node_id = "${node.name}"
${joins}}
listener "tcp" {
  address         = "${host}:${node.port}"
  cluster_address = "${host}:${node.port + 1}"
  tls_disable     = 1
}
api_addr     = "http://${host}:${node.port}"
cluster_addr = "https://${host}:${node.port + 1}"
cluster_name = "${node.cluster}"
ui           = ${ui}
log_level    = "warn"
`,
    { mode: 0o600 },
  );
  return file;
}

/** HA lab nodes start etcd members and join each other: slower than a -dev cluster to come up. */
const NODE_WAIT_MS = 120_000;

/**
 * Initialise the first node, unseal every node with the one key, then make
 * `rootToken` a root token of the cluster (an orphan, so revoking the token
 * init generated leaves it) and mount secret/ as kv-v2 as -dev does.
 * Returns the unseal key (the lab unseals restarted nodes with it).
 */
export async function bootstrapLabCluster(addrs: string[], rootToken: string, call: Call): Promise<string> {
  const init = await call(addrs[0], 'PUT', 'sys/init', '', { secret_shares: 1, secret_threshold: 1 });
  if (init.status !== 200) throw new Error(`${addrs[0]}: init: ${JSON.stringify(init.body)}`);
  const key: string = init.body.keys_base64[0];
  const initRoot: string = init.body.root_token;
  for (const addr of addrs) await unsealLabNode(addr, key, call);
  const created = await call(addrs[0], 'POST', 'auth/token/create-orphan', initRoot, { id: rootToken, policies: ['root'], display_name: 'lab-root' });
  if (created.status !== 200) throw new Error(`${addrs[0]}: create the lab's root token: ${JSON.stringify(created.body)}`);
  await call(addrs[0], 'POST', 'auth/token/revoke-self', initRoot);
  const mount = await call(addrs[0], 'POST', 'sys/mounts/secret', rootToken, { type: 'kv', options: { version: '2' } });
  if (mount.status >= 300) throw new Error(`${addrs[0]}: mount secret/: ${JSON.stringify(mount.body)}`);
  return key;
}

/** A joining node knows the cluster is initialised once its retry_join reached a leader; then the key unseals it. */
export async function unsealLabNode(addr: string, key: string, call: Call): Promise<void> {
  await until(`${addr} to see the cluster's init`, async () => (await call(addr, 'GET', 'sys/seal-status', '')).body?.initialized === true, NODE_WAIT_MS);
  let r = await call(addr, 'PUT', 'sys/unseal', '', { key });
  // Unsealing a joiner starts its etcd member and asks the leader to admit it; on a loaded box either can miss
  // its deadline ("raft join: …"), and unsealing again retries the join.
  for (let attempt = 1; attempt < UNSEAL_ATTEMPTS && r.status !== 200 && /raft join/.test(JSON.stringify(r.body)); attempt++) {
    await new Promise((res) => setTimeout(res, UNSEAL_RETRY_PAUSE_MS));
    r = await call(addr, 'PUT', 'sys/unseal', '', { key });
  }
  if (r.status !== 200 || r.body?.sealed !== false) throw new Error(`${addr}: unseal: ${r.status} ${JSON.stringify(r.body)}`);
}

/** The address of the node that says it is active (sys/leader is_self), polled until one does. */
export async function activeLabNode(addrs: string[], call: Call, timeoutMs = NODE_WAIT_MS): Promise<string> {
  let found = '';
  await until('an active node', async () => {
    for (const addr of addrs) {
      const r = await call(addr, 'GET', 'sys/leader', '').catch(() => null);
      if (r?.body?.is_self) {
        found = addr;
        return true;
      }
    }
    return false;
  }, timeoutMs);
  return found;
}

/**
 * A performance secondary does not get its primary's tokens (and its own were
 * wiped when it became one): -dev clusters get the shared root token back from
 * their primary, HA lab clusters generate a root token with the primary's
 * unseal key (sys/generate-root) and make the shared token from it again.
 */
export async function restoreLabRootToken(addr: string, keys: string[], rootToken: string, call: Call): Promise<void> {
  if ((await call(addr, 'GET', 'auth/token/lookup-self', rootToken)).status === 200) return;
  let generated = '';
  for (const key of keys) {
    await call(addr, 'DELETE', 'sys/generate-root/attempt', '');
    const attempt = await call(addr, 'PUT', 'sys/generate-root/attempt', '', {});
    if (attempt.status !== 200) throw new Error(`${addr}: generate-root: ${JSON.stringify(attempt.body)}`);
    const update = await call(addr, 'PUT', 'sys/generate-root/update', '', { key, nonce: attempt.body.nonce });
    if (update.status === 200 && update.body?.complete) {
      generated = xorDecode(update.body.encoded_token || update.body.encoded_root_token, attempt.body.otp);
      break;
    }
  }
  if (!generated) throw new Error(`${addr}: no lab key generates a root token`);
  const created = await call(addr, 'POST', 'auth/token/create-orphan', generated, { id: rootToken, policies: ['root'], display_name: 'lab-root' });
  if (created.status !== 200) throw new Error(`${addr}: create the lab's root token: ${JSON.stringify(created.body)}`);
  await call(addr, 'POST', 'auth/token/revoke-self', generated);
}

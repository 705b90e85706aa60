import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { api } from '../support/cluster';
import { enablePrimary, enableSecondary, replStatus, secondaryToken, type Mode } from '../support/replication';
import { startEtcd, type TestEtcd } from './etcd-cluster';
import { startHaCluster, until, type HaCluster, type HaNode } from './ha-cluster';

// Test support for replication between HA clusters: one real 3-member etcd
// shared by three 3-node HA clusters (each under its own prefix) — a
// performance and DR primary, a performance secondary and a DR secondary —
// and a write load on the primary that keeps what was acknowledged.

export interface ReplicatedHa {
  etcd: TestEtcd;
  primary: HaCluster;
  perf: HaCluster;
  dr: HaCluster;
  /** A token of the performance secondary (userpass login there) that reads secret/. */
  perfToken: string;
  /** The primary's node that made the DR activation token and stepped down before the DR secondary used it. */
  tokenStandby: HaNode | null;
  stop(): Promise<void>;
}

export const PERF_ID = 'perf-ha';
export const DR_ID = 'dr-ha';
const READER = { user: 'reader', password: 'reader-pw' };
const LOCK_TIMEOUT = '10s';
/** secret/data/pre-0 … written before the secondaries join. */
export const PRELOADED = 150;

export const clusterAddrOf = (n: HaNode) => `https://127.0.0.1:${n.port + 1}`;

/**
 * The node whose sys/leader says is_self (polled until one does, not among
 * `exclude`): sys/health cannot tell, a DR secondary answers 472 on every node.
 */
export function activeOf(c: HaCluster, exclude: HaNode[] = [], timeoutMs = 120_000): Promise<HaNode> {
  return until(
    'an active node',
    async () => {
      for (const node of c.nodes) {
        if (exclude.includes(node) || !node.alive()) continue;
        const r = await api(node.addr, 'GET', 'sys/leader').catch(() => null);
        if (r?.body?.is_self === true) return node;
      }
      return null;
    },
    timeoutMs,
    200,
  );
}

/** Lines the servers logged with this message (info level: the clusters run with log_level info). */
export function logCount(c: HaCluster, msg: string): number {
  return c.nodes.reduce((n, node) => n + node.output().split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).length, 0);
}

/** Merkle syncs the secondaries of a cluster ran (each logs "merkle sync complete"). */
export const merkleSyncs = (c: HaCluster) => logCount(c, 'merkle sync complete');

async function ok(r: Promise<{ status: number; body: any }>, what: string): Promise<any> {
  const x = await r;
  if (x.status >= 300) throw new Error(`${what}: ${x.status} ${JSON.stringify(x.body)}`);
  return x.body;
}

export async function startReplicatedHa(): Promise<ReplicatedHa> {
  // Info level: the count of "merkle sync complete" lines is what the tests assert on.
  process.env.COFFER_TEST_LOG = 'info';
  const etcd = await startEtcd(3, 'rf');
  // Nine nodes on a loaded 2-core box: a lease longer than the 2 s default, so a starved keepalive does not turn a
  // test step into an election; the clusters start one after the other (three inits at once starved each other).
  const opts = { etcd, storageExtra: `  lock_timeout = "${LOCK_TIMEOUT}"` };
  const primary = await startHaCluster(3, opts);
  // The secondaries' standbys stay sealed until their active adopted the primary's keys (reunsealStandbys).
  const secondary = { ...opts, leaveSealed: [1, 2] };
  const perf = await startHaCluster(3, secondary).catch(async (err) => (await primary.stop(), Promise.reject(err)));
  const dr = await startHaCluster(3, secondary).catch(async (err) => (await Promise.all([primary.stop(), perf.stop()]), Promise.reject(err)));
  const env: ReplicatedHa = {
    etcd,
    primary,
    perf,
    dr,
    perfToken: '',
    tokenStandby: null,
    async stop() {
      const dump = process.env.COFFER_TEST_OUTPUT_DIR;
      if (dump) {
        mkdirSync(dump, { recursive: true });
        for (const [name, c] of [['primary', primary], ['perf', perf], ['dr', dr]] as const) for (const n of c.nodes) writeFileSync(join(dump, `${name}-${n.name}.log`), n.output());
      }
      await Promise.all([primary, perf, dr].map((c) => c.stop()));
      await etcd.stop();
    },
  };
  try {
    const p = await activeOf(primary);
    const t = primary.rootToken;
    await ok(api(p.addr, 'POST', 'sys/mounts/secret', { token: t, body: { type: 'kv', options: { version: '2' } } }), 'mount');
    await ok(api(p.addr, 'POST', 'sys/auth/userpass', { token: t, body: { type: 'userpass' } }), 'userpass');
    await ok(api(p.addr, 'PUT', 'sys/policies/acl/reader', { token: t, body: { policy: 'path "secret/*" { capabilities = ["read", "list"] }' } }), 'policy');
    await ok(api(p.addr, 'POST', `auth/userpass/users/${READER.user}`, { token: t, body: { password: READER.password, policies: 'reader' } }), 'user');
    // More keys than one etcd txn carries (128 operations): each secondary's first merkle sync must apply them in several.
    for (let i = 0; i < PRELOADED; i += 25)
      await Promise.all(Array.from({ length: 25 }, (_, j) => ok(api(p.addr, 'POST', `secret/data/pre-${i + j}`, { token: t, body: { data: { i: i + j } } }), 'preload')));
    for (const m of ['performance', 'dr'] as Mode[]) await enablePrimary(p.addr, t, m);
    await link(primary, perf, 'performance', PERF_ID, await secondaryToken(p.addr, t, 'performance', PERF_ID));
    // The DR activation token names the active it came from; that node steps down before the DR secondary uses it.
    const drToken = await secondaryToken(p.addr, t, 'dr', DR_ID);
    await ok(api(p.addr, 'PUT', 'sys/step-down', { token: t }), 'step-down');
    const next = await activeOf(primary, [p]);
    await until(`${p.name} to name ${next.name} as the active`, async () => (await api(p.addr, 'GET', 'sys/leader')).body?.leader_cluster_address === clusterAddrOf(next));
    env.tokenStandby = p;
    await link(primary, dr, 'dr', DR_ID, drToken);
    await Promise.all([reunsealStandbys(perf, primary.keys), reunsealStandbys(dr, primary.keys)]);
    const s = await activeOf(perf);
    const login = await until('a login on the performance secondary', async () => {
      const r = await api(s.addr, 'POST', `auth/userpass/login/${READER.user}`, { body: { password: READER.password } });
      return r.status === 200 ? r.body : null;
    });
    env.perfToken = login.auth.client_token;
  } catch (err) {
    await env.stop();
    throw err;
  }
  return env;
}

async function link(primary: HaCluster, secondary: HaCluster, mode: Mode, id: string, token: string): Promise<void> {
  const s = await activeOf(secondary);
  await enableSecondary(s.addr, secondary.rootToken, mode, token);
  await until(`${id} to stream`, async () => (await replStatus((await activeOf(secondary)).addr, mode)).state === 'stream-wals', 120_000);
}

/**
 * A secondary adopts its primary's keyring and unseal keys on its active. As in
 * Vault ("if the secondary is an HA cluster, each standby must be sealed and
 * unsealed with the primary's unseal keys in order to be promoted to active"),
 * its standbys — left sealed until now — are unsealed with the primary's keys.
 */
async function reunsealStandbys(secondary: HaCluster, primaryKeys: string[]): Promise<void> {
  const active = await activeOf(secondary);
  secondary.keys = primaryKeys;
  for (const node of secondary.nodes) if (node !== active) await secondary.unseal(node);
}

/** The secondary's merkle root for `mode` equals the primary's, read from each cluster's active, and it streams. */
export async function convergedHa(primary: HaCluster, secondary: HaCluster, mode: Mode, timeoutMs = 120_000): Promise<string> {
  return until(
    `${mode} merkle roots to converge`,
    async () => {
      const [p, s] = await Promise.all([activeOf(primary), activeOf(secondary)]);
      const [ps, ss] = await Promise.all([replStatus(p.addr, mode), replStatus(s.addr, mode)]);
      return ps.merkle_root === ss.merkle_root && ss.state === 'stream-wals' ? ps.merkle_root : null;
    },
    timeoutMs,
    250,
  );
}

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, COFFER_BIN, REPO_ROOT, waitForHealth } from '../support/cluster';
import { quietPort } from '../support/ports';
import { startEtcd, type TestEtcd } from './etcd-cluster';

// Test support: N real `coffer server` processes with storage "etcd" over a
// real 3-member etcd (etcd-cluster.ts), initialized once and each unsealed
// with the cluster's keys. Every wait polls the nodes' own answers.

export interface HaNode {
  name: string;
  addr: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  output(): string;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  alive(): boolean;
}

export interface HaCluster {
  etcd: TestEtcd;
  nodes: HaNode[];
  prefix: string;
  rootToken: string;
  keys: string[];
  /** Start node i again (same data dir, port and etcd address) after kill/stop; not unsealed. */
  restart(i: number): Promise<HaNode>;
  unseal(node: HaNode): Promise<void>;
  /** The one node whose sys/health says active (200), polled until there is one (not among `exclude`). */
  waitActive(opts?: { exclude?: HaNode[]; timeoutMs?: number }): Promise<HaNode>;
  /** Every node's sys/health code right now (0: no answer). */
  healthCodes(): Promise<number[]>;
  stop(): Promise<void>;
}

export interface HaClusterOptions {
  /** Each node's etcd address (default: every member's client URL). */
  etcdAddress?: (i: number, etcd: TestEtcd) => string | Promise<string>;
  extraConfig?: string;
  /** Extra lines inside the storage "etcd" stanza (e.g. lock_timeout = "3s"). */
  storageExtra?: string;
  /** An etcd cluster to share (each HA cluster keeps its own prefix); not stopped with this cluster. Default: three members of its own. */
  etcd?: TestEtcd;
  /** Initialize and unseal (default true). */
  unseal?: boolean;
  /** Nodes not to unseal (indices). */
  leaveSealed?: number[];
  /** Another checkout's bin/coffer (a bench's baseline); default the repo's. */
  bin?: string;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export async function health(addr: string): Promise<number> {
  try {
    const r = await fetch(`${addr}/v1/sys/health`, { signal: AbortSignal.timeout(5_000) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

function spawnNode(name: string, port: number, dataDir: string, configFile: string, bin = COFFER_BIN): HaNode {
  const proc = spawn(bin, ['server', `-config=${configFile}`], { cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  const end = async (sig: NodeJS.Signals) => {
    if (!alive()) return;
    proc.kill(sig);
    await exited;
  };
  return { name, addr: `http://127.0.0.1:${port}`, port, dataDir, proc, output: () => out, kill: () => end('SIGKILL'), stop: () => end('SIGTERM'), alive };
}

export async function startHaCluster(n = 3, opts: HaClusterOptions = {}): Promise<HaCluster> {
  const etcd = opts.etcd ?? (await startEtcd(3, `e${randomBytes(2).toString('hex')}-`));
  const prefix = `/coffer-test-${randomBytes(4).toString('hex')}/`;
  const root = mkdtempSync(join(tmpdir(), 'coffer-ha-'));
  const specs: { name: string; port: number; dataDir: string; configFile: string }[] = [];
  const nodes: HaNode[] = [];
  for (let i = 0; i < n; i++) {
    const name = `node-${i + 1}`;
    const port = await quietPort(true);
    const dataDir = join(root, name);
    const configFile = join(root, `${name}.hcl`);
    const address = opts.etcdAddress ? await opts.etcdAddress(i, etcd) : etcd.members.map((m) => m.clientUrl).join(',');
    writeFileSync(
      configFile,
      `storage "etcd" {
  address   = "${address}"
  path      = "${prefix}"
  data_path = "${dataDir}"
  node_id   = "${name}"
${opts.storageExtra ?? ''}
}
listener "tcp" {
  address         = "127.0.0.1:${port}"
  cluster_address = "127.0.0.1:${port + 1}"
  tls_disable     = 1
}
api_addr     = "http://127.0.0.1:${port}"
cluster_addr = "https://127.0.0.1:${port + 1}"
cluster_name = "ha-test"
log_level    = "${process.env.COFFER_TEST_LOG ?? 'warn'}"
${opts.extraConfig ?? ''}
`,
    );
    specs.push({ name, port, dataDir, configFile });
  }
  const start = async (i: number) => {
    const s = specs[i];
    const node = spawnNode(s.name, s.port, s.dataDir, s.configFile, opts.bin);
    nodes[i] = node;
    await waitForHealth(node.addr, node.proc, node.output, 60_000).catch(async (err) => {
      await node.kill();
      throw err;
    });
    return node;
  };
  const cluster: HaCluster = {
    etcd,
    nodes,
    prefix,
    rootToken: '',
    keys: [],
    restart: start,
    async unseal(node) {
      // The node learns of the init through the HA log: wait until its own copy has it.
      await until(`${node.name} to see the init`, async () => (await api(node.addr, 'GET', 'sys/seal-status')).body?.initialized === true);
      for (const key of cluster.keys) {
        const r = await api(node.addr, 'PUT', 'sys/unseal', { body: { key } });
        if (r.status !== 200) throw new Error(`unseal ${node.name}: ${r.status} ${JSON.stringify(r.body)}`);
        if (r.body.sealed === false) return;
      }
      throw new Error(`${node.name} still sealed after every key`);
    },
    async waitActive(o = {}) {
      const exclude = new Set(o.exclude ?? []);
      return until(
        'an active node',
        async () => {
          for (const node of nodes) if (!exclude.has(node) && node.alive() && (await health(node.addr)) === 200) return node;
          return null;
        },
        o.timeoutMs ?? 60_000,
      );
    },
    healthCodes: () => Promise.all(nodes.map((node) => (node.alive() ? health(node.addr) : Promise.resolve(0)))),
    async stop() {
      await Promise.all(nodes.map((node) => node?.kill()));
      if (!opts.etcd) await etcd.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    for (let i = 0; i < n; i++) await start(i);
    if (opts.unseal !== false) {
      const init = await api(nodes[0].addr, 'PUT', 'sys/init', { body: { secret_shares: 3, secret_threshold: 2 } });
      if (init.status !== 200) throw new Error(`init: ${init.status} ${JSON.stringify(init.body)}`);
      cluster.rootToken = init.body.root_token;
      cluster.keys = init.body.keys_base64;
      const skip = new Set(opts.leaveSealed ?? []);
      for (let i = 0; i < n; i++) if (!skip.has(i)) await cluster.unseal(nodes[i]);
    }
  } catch (err) {
    const logs = nodes.map((node) => `--- ${node?.name}\n${node?.output().slice(-3000)}`).join('\n');
    await cluster.stop();
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
  return cluster;
}

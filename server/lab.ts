import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLabControl } from './lab-control';
import { LAB_TOKEN_ENV, LAB_URL_ENV } from './lab-link';
import { activeLabNode, bootstrapLabCluster, restoreLabRootToken, LAB_MAX_NODES, labNodes, unsealLabNode, writeNodeConfig, type LabNode } from './lab-nodes';
import { seedTopology, wireTopology, type LabCluster } from './lab-topology';

// `coffer lab`: dev clusters on loopback as separate OS processes sharing one
// root token. Default: dallas (8200), london (8300) and sydney (8400), not
// replicated, for setting replication up by hand. `-topology=seed` wires seed
// 002's picture: dallas performance primary; london and sydney performance
// secondaries; each of the three with its own DR secondary (8250/8350/8450).
// `-nodes=3` makes every cluster an HA cluster of three raft nodes
// (dallas-1, dallas-2, dallas-3 on 8200, 8210, 8220; see lab-nodes.ts);
// `-clusters=dallas` starts only the named clusters (not with -topology=seed).
export const LAB_ROOT_TOKEN = 'root';
const REPO_ROOT = resolve(new URL('..', import.meta.url).pathname);

interface LabFlags {
  topology: 'none' | 'seed';
  rootToken: string;
  host: string;
  basePort: number;
  ui: boolean;
  nodes: number;
  only: string[] | null;
}

function parseLabFlags(args: string[]): LabFlags {
  const out: LabFlags = { topology: 'none', rootToken: LAB_ROOT_TOKEN, host: '127.0.0.1', basePort: 8200, ui: true, nodes: 1, only: null };
  for (const a of args) {
    const [k, v] = a.replace(/^--?/, '').split('=');
    if (k === 'topology') {
      if (v !== 'none' && v !== 'seed') throw new Error(`unknown topology "${v}": use none or seed`);
      out.topology = v;
    } else if (k === 'root-token') out.rootToken = v || LAB_ROOT_TOKEN;
    else if (k === 'base-port') out.basePort = Number(v);
    else if (k === 'no-ui') out.ui = false;
    else if (k === 'nodes') out.nodes = Number(v);
    else if (k === 'clusters') out.only = (v ?? '').split(',').filter(Boolean);
    else throw new Error(`flag provided but not defined: ${a}`);
  }
  if (!Number.isInteger(out.basePort) || out.basePort < 1024 || out.basePort > 65000) throw new Error('-base-port must be a port number');
  if (!Number.isInteger(out.nodes) || out.nodes < 1 || out.nodes > LAB_MAX_NODES) throw new Error(`-nodes must be a number from 1 to ${LAB_MAX_NODES}`);
  if (out.only && out.topology === 'seed') throw new Error('-clusters cannot be combined with -topology=seed (the seed wires all six clusters)');
  return out;
}

async function call(addr: string, method: string, path: string, token: string, body?: unknown) {
  const r = await fetch(`${addr}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

/** Any answer from sys/health: up, maybe sealed. */
async function waitListening(addr: string, child: ChildProcess): Promise<void> {
  return waitHealthy(addr, child, '?sealedcode=200&uninitcode=200&drsecondarycode=200&standbycode=200&perfstandbyok=true');
}

/** Up and unsealed (a DR secondary answers 472, which counts). */
async function waitHealthy(addr: string, child: ChildProcess, query = '?drsecondarycode=200&standbycode=200&perfstandbyok=true'): Promise<void> {
  for (let i = 0; i < 900; i++) {
    if (child.exitCode !== null) throw new Error(`cluster at ${addr} exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${addr}/v1/sys/health${query}`)).status === 200) return;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`cluster at ${addr} did not become healthy`);
}

export async function runLab(args: string[]): Promise<void> {
  let flags: LabFlags;
  try {
    flags = parseLabFlags(args);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nUsage: coffer lab [-topology=none|seed] [-nodes=1] [-clusters=dallas,london,sydney] [-root-token=ID] [-base-port=8200] [-no-ui]\n`);
    process.exit(1);
  }
  const topo = flags.topology === 'seed' ? seedTopology(flags.basePort) : null;
  const clusters: LabCluster[] = (
    topo?.clusters ?? [
      { name: 'dallas', port: flags.basePort },
      { name: 'london', port: flags.basePort + 100 },
      { name: 'sydney', port: flags.basePort + 200 },
    ]
  ).filter((c) => !flags.only || flags.only.includes(c.name));
  if (!clusters.length) {
    process.stderr.write(`-clusters: none of ${flags.only?.join(',')} is a lab cluster (dallas, london, sydney)\n`);
    process.exit(1);
  }
  const ha = flags.nodes > 1;
  const nodesOf = (c: LabCluster): LabNode[] => (ha ? labNodes(c, flags.nodes) : [{ name: c.name, cluster: c.name, port: c.port }]);
  const nodeAddr = (n: LabNode) => `http://${flags.host}:${n.port}`;
  const children = new Map<string, ChildProcess>();
  const unsealKeys = new Map<string, string>();
  const labDir = mkdtempSync(join(tmpdir(), 'coffer-lab-'));
  let stopping = false;
  const addrOf = (c: LabCluster) => `http://${flags.host}:${c.port}`;
  const stopAll = () => {
    stopping = true;
    for (const c of children.values()) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  };
  const nodeRunning = (name: string) => {
    const c = children.get(name);
    return Boolean(c && c.exitCode === null && c.signalCode === null);
  };
  const running = (name: string) => nodesOf(clusters.find((c) => c.name === name)!).some((n) => nodeRunning(n.name));
  // Unplanned DR drills stop a cluster without warning and start it again later, on its data.
  const control = await startLabControl({
    list: () => clusters.map((c) => ({ name: c.name, addr: addrOf(c), running: running(c.name) })),
    stop: async (name) => {
      if (!running(name)) return;
      const kills = nodesOf(clusters.find((c) => c.name === name)!).map(async (n) => {
        const child = children.get(n.name);
        if (!child || !nodeRunning(n.name)) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      });
      await Promise.all(kills);
      process.stderr.write(`lab: ${name} stopped (SIGKILL)\n`);
    },
    start: async (name) => {
      if (running(name)) return;
      await startCluster(clusters.find((c) => c.name === name)!, true);
      process.stderr.write(`lab: ${name} started again on its data\n`);
    },
  });
  const labEnv = { ...process.env, [LAB_URL_ENV]: control.url, [LAB_TOKEN_ENV]: control.token };
  const watchExit = (child: ChildProcess, name: string) =>
    child.once('exit', (code, signal) => {
      if (!stopping && signal !== 'SIGKILL') process.stderr.write(`lab: ${name} exited (code ${code})\n`);
    });
  // An HA cluster: N raft nodes that join each other; the first start initialises it.
  const startHaCluster = async (c: LabCluster, again: boolean) => {
    const nodes = nodesOf(c);
    for (const n of nodes) {
      const config = writeNodeConfig(n, nodes, flags.host, labDir, flags.ui);
      const child = spawn(resolve(REPO_ROOT, 'bin/coffer'), ['server', `-config=${config}`], { stdio: ['ignore', 'ignore', 'inherit'], env: labEnv });
      children.set(n.name, child);
      watchExit(child, n.name);
    }
    const addrs = nodes.map(nodeAddr);
    await Promise.all(nodes.map((n) => waitListening(nodeAddr(n), children.get(n.name)!)));
    const lab = (addr: string, m: string, p: string, token: string, b?: unknown) => call(addr, m, p, token, b);
    if (!again) unsealKeys.set(c.name, await bootstrapLabCluster(addrs, flags.rootToken, lab));
    else for (const addr of addrs) await unsealLabNode(addr, unsealKeys.get(c.name)!, lab);
    await Promise.all(nodes.map((n) => waitHealthy(nodeAddr(n), children.get(n.name)!)));
  };
  const startCluster = async (c: LabCluster, again: boolean) => {
    if (ha) return startHaCluster(c, again);
    const child = spawn(
      resolve(REPO_ROOT, 'bin/coffer'),
      ['server', '-dev', `-dev-root-token-id=${flags.rootToken}`, `-dev-listen-address=${flags.host}:${c.port}`, `-dev-cluster-name=${c.name}`, `-dev-data-dir=${join(labDir, c.name)}`, '-log-level=warn', ...(flags.ui ? [] : ['-dev-no-ui'])],
      { stdio: ['ignore', 'pipe', 'inherit'], env: labEnv },
    );
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const key = /Unseal Key: (\S+)/.exec(out)?.[1];
      if (key) unsealKeys.set(c.name, key);
    });
    children.set(c.name, child);
    watchExit(child, c.name);
    await waitListening(addrOf(c), child);
    // Started again on its data, it comes back sealed: the lab kept its unseal key.
    if (again) await call(addrOf(c), 'POST', 'sys/unseal', flags.rootToken, { key: unsealKeys.get(c.name) });
    await waitHealthy(addrOf(c), child);
  };
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  process.on('exit', () => rmSync(labDir, { recursive: true, force: true }));
  try {
    // HA clusters start one at a time: 18 coffer processes and 18 etcd members starting at once overload a 2-core box.
    if (ha) for (const c of clusters) await startCluster(c, false);
    else await Promise.all(clusters.map((c) => startCluster(c, false)));
    // The console on any lab cluster calls the others' APIs (status wall, DR drills): allow each other's origins.
    const origins = clusters.flatMap((c) => nodesOf(c).map(nodeAddr));
    // X-Vault-Request: the console's API client sends it (Vault's UI does too); not among Vault's standard CORS headers.
    for (const c of clusters) await call(addrOf(c), 'PUT', 'sys/config/cors', flags.rootToken, { allowed_origins: origins, allowed_headers: ['X-Vault-Request'] });
    if (topo) {
      process.stdout.write('==> wiring seed 002\'s topology …\n');
      // HA clusters: replication is set up against each cluster's active node.
      const active = (name: string) => activeLabNode(nodesOf(clusters.find((c) => c.name === name)!).map(nodeAddr), (a, m, p, t) => call(a, m, p, t));
      // A performance secondary lost the lab's root token: generate it again (its primary's key first, a secondary takes its primary's keys).
      const rootAgain = async (link: { primary: string; secondary: string; mode: string }, addr: string) => {
        if (link.mode !== 'performance') return;
        await restoreLabRootToken(addr, [unsealKeys.get(link.primary)!, unsealKeys.get(link.secondary)!], flags.rootToken, (a, m, p, t, b) => call(a, m, p, t, b));
      };
      const lines = (line: string) => process.stdout.write(line + '\n');
      await wireTopology(flags.host, flags.rootToken, topo, (addr, m, p, b) => call(addr, m, p, flags.rootToken, b), lines, ha ? active : undefined, ha ? rootAgain : undefined);
    }
  } catch (err) {
    process.stderr.write(`lab failed to start: ${(err as Error).message}\n`);
    stopAll();
    process.exit(1);
  }
  const roleOf = async (n: LabNode) => ((await call(nodeAddr(n), 'GET', 'sys/leader', '').catch(() => null))?.body?.is_self ? 'active' : 'standby');
  const rows: string[][] = [];
  for (const c of clusters) {
    for (const n of nodesOf(c)) {
      const row = [n.name, nodeAddr(n), flags.ui ? `${nodeAddr(n)}/ui/` : '(no console)', `https://${flags.host}:${n.port + 1}`];
      rows.push(ha ? [c.name, ...row, await roleOf(n)] : row);
    }
  }
  const header = ha ? ['Cluster', 'Node', 'API address', 'Console', 'Cluster address', 'State'] : ['Cluster', 'API address', 'Console', 'Cluster address'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((v, i) => v.padEnd(widths[i])).join('   ');
  const wall = `http://${flags.host}:${flags.basePort}/ui/wall?clusters=${clusters.map((c) => `http://${flags.host}:${c.port}`).join(',')}`;
  process.stdout.write(
    [
      (topo ? '==> Coffer lab is running seed 002\'s topology' : `==> Coffer lab is running: ${clusters.length === 3 ? 'three' : clusters.length} ${ha ? 'HA' : 'dev'} cluster${clusters.length === 1 ? '' : 's'}, not yet replicated`) +
        (ha ? ` (${flags.nodes} raft nodes each).` : '.'),
      '',
      fmt(header),
      fmt(widths.map((w) => '-'.repeat(w))),
      ...rows.map(fmt),
      '',
      `Root token (all clusters): ${flags.rootToken}`,
      `    $ export VAULT_ADDR=http://${flags.host}:${flags.basePort} VAULT_TOKEN=${flags.rootToken}`,
      ...(flags.ui ? [`Status wall: ${wall}`] : []),
      '',
      'Press Ctrl-C to stop every cluster.',
      '',
    ].join('\n'),
  );
  // Clusters the lab stops and starts again come and go; the lab ends on Ctrl-C.
  await new Promise<void>((r) => {
    process.once('SIGINT', r);
    process.once('SIGTERM', r);
  });
  await Promise.all([...children.values()].map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
  await control.close();
  process.exit(0);
}

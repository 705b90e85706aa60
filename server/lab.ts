import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { seedTopology, wireTopology, type LabCluster } from './lab-topology';

// `coffer lab`: dev clusters on loopback as separate OS processes sharing one
// root token. Default: dallas (8200), london (8300) and sydney (8400), not
// replicated, for setting replication up by hand. `-topology=seed` wires seed
// 002's picture: dallas performance primary; london and sydney performance
// secondaries; each of the three with its own DR secondary (8250/8350/8450).
export const LAB_ROOT_TOKEN = 'root';
const REPO_ROOT = resolve(new URL('..', import.meta.url).pathname);

interface LabFlags {
  topology: 'none' | 'seed';
  rootToken: string;
  host: string;
  basePort: number;
  ui: boolean;
}

function parseLabFlags(args: string[]): LabFlags {
  const out: LabFlags = { topology: 'none', rootToken: LAB_ROOT_TOKEN, host: '127.0.0.1', basePort: 8200, ui: true };
  for (const a of args) {
    const [k, v] = a.replace(/^--?/, '').split('=');
    if (k === 'topology') {
      if (v !== 'none' && v !== 'seed') throw new Error(`unknown topology "${v}": use none or seed`);
      out.topology = v;
    } else if (k === 'root-token') out.rootToken = v || LAB_ROOT_TOKEN;
    else if (k === 'base-port') out.basePort = Number(v);
    else if (k === 'no-ui') out.ui = false;
    else throw new Error(`flag provided but not defined: ${a}`);
  }
  if (!Number.isInteger(out.basePort) || out.basePort < 1024 || out.basePort > 65000) throw new Error('-base-port must be a port number');
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

async function waitHealthy(addr: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 900; i++) {
    if (child.exitCode !== null) throw new Error(`cluster at ${addr} exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${addr}/v1/sys/health`)).status === 200) return;
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
    process.stderr.write(`${(err as Error).message}\nUsage: coffer lab [-topology=none|seed] [-root-token=ID] [-base-port=8200] [-no-ui]\n`);
    process.exit(1);
  }
  const topo = flags.topology === 'seed' ? seedTopology(flags.basePort) : null;
  const clusters: LabCluster[] = topo?.clusters ?? [
    { name: 'dallas', port: flags.basePort },
    { name: 'london', port: flags.basePort + 100 },
    { name: 'sydney', port: flags.basePort + 200 },
  ];
  const children: ChildProcess[] = [];
  let stopping = false;
  const stopAll = () => {
    stopping = true;
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  };
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  try {
    await Promise.all(
      clusters.map(async (c) => {
        const child = spawn(
          resolve(REPO_ROOT, 'bin/coffer'),
          ['server', '-dev', `-dev-root-token-id=${flags.rootToken}`, `-dev-listen-address=${flags.host}:${c.port}`, `-dev-cluster-name=${c.name}`, '-log-level=warn', ...(flags.ui ? [] : ['-dev-no-ui'])],
          { stdio: ['ignore', 'ignore', 'inherit'], env: process.env },
        );
        children.push(child);
        child.once('exit', (code) => {
          if (!stopping) process.stderr.write(`lab: ${c.name} exited (code ${code})\n`);
        });
        await waitHealthy(`http://${flags.host}:${c.port}`, child);
      }),
    );
    if (topo) {
      process.stdout.write('==> wiring seed 002\'s topology …\n');
      await wireTopology(flags.host, flags.rootToken, topo, (addr, m, p, b) => call(addr, m, p, flags.rootToken, b), (line) => process.stdout.write(line + '\n'));
    }
  } catch (err) {
    process.stderr.write(`lab failed to start: ${(err as Error).message}\n`);
    stopAll();
    process.exit(1);
  }
  const rows = clusters.map((c) => [c.name, `http://${flags.host}:${c.port}`, flags.ui ? `http://${flags.host}:${c.port}/ui/` : '(no console)', `https://${flags.host}:${c.port + 1}`]);
  const header = ['Cluster', 'API address', 'Console', 'Cluster address'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((v, i) => v.padEnd(widths[i])).join('   ');
  const wall = `http://${flags.host}:${flags.basePort}/ui/wall?clusters=${clusters.map((c) => `http://${flags.host}:${c.port}`).join(',')}`;
  process.stdout.write(
    [
      topo ? '==> Coffer lab is running seed 002\'s topology.' : '==> Coffer lab is running: three dev clusters, not yet replicated.',
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
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  process.exit(0);
}

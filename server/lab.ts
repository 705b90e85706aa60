import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

// `coffer lab`: three dev clusters on loopback — dallas, london, sydney — as
// separate OS processes sharing one root token, for setting up replication by
// hand (seed 002's names and ports).
export const LAB_CLUSTERS = [
  { name: 'dallas', port: 8200 },
  { name: 'london', port: 8300 },
  { name: 'sydney', port: 8400 },
] as const;
export const LAB_ROOT_TOKEN = 'root';
const REPO_ROOT = resolve(new URL('..', import.meta.url).pathname);

function parseLabFlags(args: string[]) {
  const out = { topology: 'none', rootToken: LAB_ROOT_TOKEN, host: '127.0.0.1' };
  for (const a of args) {
    const [k, v] = a.replace(/^--?/, '').split('=');
    if (k === 'topology') out.topology = v ?? '';
    else if (k === 'root-token') out.rootToken = v ?? LAB_ROOT_TOKEN;
    else throw new Error(`flag provided but not defined: ${a}`);
  }
  if (!['none', 'seed'].includes(out.topology)) throw new Error(`unknown topology "${out.topology}": use none or seed`);
  return out;
}

async function waitHealthy(addr: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
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
  let flags;
  try {
    flags = parseLabFlags(args);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nUsage: coffer lab [-topology=none|seed] [-root-token=ID]\n`);
    process.exit(1);
  }
  if (flags.topology === 'seed') {
    process.stderr.write('coffer lab -topology=seed needs the replication engine, which has not landed yet; run `coffer lab` and set replication up by hand once it has.\n');
    process.exit(1);
  }
  const children: ChildProcess[] = [];
  const stopAll = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  };
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  try {
    await Promise.all(
      LAB_CLUSTERS.map(async (c) => {
        const child = spawn(
          resolve(REPO_ROOT, 'bin/coffer'),
          ['server', '-dev', `-dev-root-token-id=${flags.rootToken}`, `-dev-listen-address=${flags.host}:${c.port}`, `-dev-cluster-name=${c.name}`, '-log-level=warn'],
          { stdio: ['ignore', 'ignore', 'inherit'], env: process.env },
        );
        children.push(child);
        await waitHealthy(`http://${flags.host}:${c.port}`, child);
      }),
    );
  } catch (err) {
    process.stderr.write(`lab failed to start: ${(err as Error).message}\n`);
    stopAll();
    process.exit(1);
  }
  const rows = LAB_CLUSTERS.map((c) => [c.name, `http://${flags.host}:${c.port}`, `http://${flags.host}:${c.port}/ui/`, `https://${flags.host}:${c.port + 1}`]);
  const header = ['Cluster', 'API address', 'Console', 'Cluster address'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((v, i) => v.padEnd(widths[i])).join('   ');
  process.stdout.write(
    [
      '==> Coffer lab is running: three dev clusters, not yet replicated.',
      '',
      fmt(header),
      fmt(widths.map((w) => '-'.repeat(w))),
      ...rows.map(fmt),
      '',
      `Root token (all clusters): ${flags.rootToken}`,
      `    $ export VAULT_ADDR=http://${flags.host}:8200 VAULT_TOKEN=${flags.rootToken}`,
      '',
      'Press Ctrl-C to stop every cluster.',
      '',
    ].join('\n'),
  );
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  process.exit(0);
}

// `tsx bench/lab-rss.ts [lab flags…]`, e.g. `tsx bench/lab-rss.ts -nodes=3 -topology=seed`:
// starts `coffer lab` with those flags on a free port block, waits until it is
// up, settles for SETTLE_MS, then prints the lab's total resident memory: the
// sum of VmRSS over the lab process and every descendant (coffer servers, their
// supervised etcd members, the bin/coffer shells), split by kind. Stops the lab
// with SIGINT. Asserts nothing: it is the figure for "does it fit this box".
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { COFFER_BIN, REPO_ROOT } from '../tests/support/cluster';

const SETTLE_MS = Number(process.env.SETTLE_MS ?? 10_000);
const START_TIMEOUT_MS = Number(process.env.START_TIMEOUT_MS ?? 1_200_000);
const LAB_SPAN = 300; // dallas … sydney-dr with up to 5 nodes of 10 ports each

const free = (port: number) =>
  new Promise<boolean>((r) => {
    const s = createServer();
    s.once('error', () => r(false));
    s.listen(port, '127.0.0.1', () => s.close(() => r(true)));
  });

async function freeBase(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    // Below Linux's ephemeral range (32768+), where outgoing connections would take ports meanwhile.
    const base = 10_000 + 10 * Math.floor(Math.random() * 2_000);
    const probes = Array.from({ length: LAB_SPAN / 10 }, (_, k) => base + k * 10);
    if ((await Promise.all(probes.flatMap((p) => [free(p), free(p + 1), free(p + 2), free(p + 3)]))).every(Boolean)) return base;
  }
  throw new Error('no free port block');
}

interface Proc {
  pid: number;
  ppid: number;
  rssKb: number;
  cmd: string;
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1]);
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ');
      out.push({ pid: Number(d), ppid, rssKb, cmd });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function tree(root: number): Proc[] {
  const all = processes();
  const ids = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) if (!ids.has(p.pid) && ids.has(p.ppid)) (ids.add(p.pid), (grew = true));
  }
  return all.filter((p) => ids.has(p.pid));
}

const kind = (cmd: string) => (/\betcd\b/.test(cmd.split(' ')[0]) ? 'etcd' : /main\.mjs|server-entry|node /.test(cmd) ? 'node' : 'other');

async function main() {
  const flags = process.argv.slice(2);
  const base = await freeBase();
  const lab = spawn(COFFER_BIN, ['lab', `-base-port=${base}`, ...flags], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  lab.stdout!.on('data', (d) => (out += d));
  lab.stderr!.on('data', (d) => (out += d));
  const t0 = Date.now();
  while (!out.includes('Press Ctrl-C')) {
    if (lab.exitCode !== null) throw new Error(`lab exited:\n${out}`);
    if (Date.now() - t0 > START_TIMEOUT_MS) {
      const kb = tree(lab.pid!).reduce((sum, p) => sum + p.rssKb, 0);
      lab.kill('SIGINT');
      throw new Error(`lab not up after ${START_TIMEOUT_MS / 1000} s (total VmRSS so far ${(kb / 1024).toFixed(0)} MiB):\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const upMs = Date.now() - t0;
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const procs = tree(lab.pid!);
  const by = new Map<string, { n: number; kb: number }>();
  for (const p of procs) {
    const k = kind(p.cmd);
    const e = by.get(k) ?? { n: 0, kb: 0 };
    by.set(k, { n: e.n + 1, kb: e.kb + p.rssKb });
  }
  const totalKb = procs.reduce((s, p) => s + p.rssKb, 0);
  console.log(`coffer lab ${flags.join(' ')}: up in ${(upMs / 1000).toFixed(1)} s; after ${SETTLE_MS / 1000} s idle:`);
  for (const [k, v] of by) console.log(`  ${k.padEnd(6)} ${String(v.n).padStart(3)} processes  ${(v.kb / 1024).toFixed(0).padStart(6)} MiB`);
  console.log(`  total  ${String(procs.length).padStart(3)} processes  ${(totalKb / 1024).toFixed(0).padStart(6)} MiB VmRSS`);
  lab.kill('SIGINT');
  await new Promise((r) => lab.once('exit', r));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

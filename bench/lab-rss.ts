// `tsx bench/lab-rss.ts [lab flags…]`, e.g. `tsx bench/lab-rss.ts -nodes=3 -topology=seed`:
// starts `coffer lab` with those flags on a free port block, waits until it is
// up, settles for SETTLE_MS, then prints the lab's total resident memory: the
// sum of VmRSS over the lab process and every descendant (coffer servers, their
// supervised etcd members, the bin/coffer shells), split by kind. Stops the lab
// with SIGINT. Asserts nothing: it is the figure for "does it fit this box".
import { readdirSync, readFileSync } from 'node:fs';
import { startLab } from '../tests/support/lab';

const SETTLE_MS = Number(process.env.SETTLE_MS ?? 10_000);
const START_TIMEOUT_MS = Number(process.env.START_TIMEOUT_MS ?? 1_200_000);
const LAB_SPAN = 300; // dallas … sydney-dr with up to 5 nodes of 10 ports each

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
  const t0 = Date.now();
  const offsets = Array.from({ length: LAB_SPAN / 10 }, (_, k) => k * 10);
  // The console too, unless the flags say -no-ui: its memory counts.
  const lab = await startLab(flags, offsets, { startTimeoutMs: START_TIMEOUT_MS, ui: true });
  const upMs = Date.now() - t0;
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const procs = tree(lab.proc.pid!);
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
  await lab.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

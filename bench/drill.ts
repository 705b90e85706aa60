// `npm run bench:drill` (tsx bench/drill.ts): DR drill figures on a real
// `coffer lab -topology=seed` (six processes on loopback). Runs the drill
// engine in this process, as the CLI does: planned switchovers (RTO, RPO)
// and unplanned failovers (the lab SIGKILLs dallas: RTO, RPO against the lag
// at the disaster), each with fail back, and prints medians. Asserts nothing.
//
//   BENCH_ROUNDS=5       drills of each kind
//   BENCH_RATE=20        canary writes per second
//   BENCH_ONLY=planned,unplanned
import { runDrill } from '../lib/drill/engine';
import type { DrillKind, DrillReport } from '../lib/drill/types';
import { api } from '../tests/support/cluster';
import { startLab } from '../tests/support/lab';
import { drOperationBatchToken } from '../tests/support/replication';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'planned,unplanned').split(','));
const ROOT = 'root';
const OFFSETS = [0, 50, 100, 150, 200, 250];
/** london and sydney: named, as the drill sends tokens only to secondaries it is given. */
const PERF_SECONDARIES = [100, 200];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

async function main() {
  const lab = await startLab(['-topology=seed'], OFFSETS);
  process.on('exit', () => lab.proc.exitCode === null && lab.proc.kill('SIGINT'));
  try {
    const addr = lab.addr;
    const drToken = await drOperationBatchToken(addr(0), ROOT, '8h');
    for (let i = 0; i < 20; i++) await api(addr(0), 'POST', `secret/data/bench/s${i}`, { token: ROOT, body: { data: { v: i } } });
    const rows: string[][] = [];
    for (const kind of ['planned', 'unplanned'] as DrillKind[]) {
      if (!ONLY.has(kind)) continue;
      const reports: DrillReport[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const r = await runDrill(
          { kind, primary: { addr: addr(0), token: ROOT }, secondary: { addr: addr(50), token: ROOT }, others: PERF_SECONDARIES.map((o) => ({ addr: addr(o), token: ROOT })), drOperationToken: drToken, targets: { rpoMs: kind === 'planned' ? 0 : 10_000, rtoMs: kind === 'planned' ? 5_000 : 10_000 }, canaryRate: RATE },
          { confirm: async () => true },
        );
        reports.push(r);
        process.stdout.write(`${kind} #${i + 1}: ${r.outcome}${r.reason ? ` (${r.reason})` : ''}; RTO ${r.rto.ms} ms; RPO ${r.rpo.lost} lost, window ${r.rpo.windowMs} ms; lag at disaster ${r.rpo.lagAtDisasterWals ?? '?'} WAL\n`);
        if (r.leftState) {
          process.stdout.write(`  stopped early: ${r.leftState.description}\n`);
          // Only go on when the roles are back where the next drill expects them.
          if (!/is the DR primary again/.test(r.leftState.description)) break;
        }
      }
      const rto = reports.map((r) => r.rto.ms ?? NaN);
      rows.push([
        kind,
        String(reports.length),
        `${median(rto)} ms`,
        `${Math.min(...rto)}–${Math.max(...rto)} ms`,
        `${median(reports.map((r) => r.rpo.lost))}`,
        `${median(reports.map((r) => r.rpo.windowMs))} ms`,
        `${median(reports.map((r) => r.rpo.lagAtDisasterWals ?? NaN))}`,
        `${reports.filter((r) => r.outcome === 'passed').length}/${reports.length}`,
      ]);
    }
    const header = ['kind', 'drills', 'RTO median', 'RTO range', 'RPO lost (median)', 'RPO window (median)', 'lag at disaster (WAL, median)', 'passed'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    process.stdout.write(`\nDR drills on coffer lab -topology=seed (dallas → dallas-dr, london and sydney follow), canaries ${RATE}/s, aims: planned RTO ≤ 5 s RPO 0; unplanned RTO ≤ 10 s, RPO ≤ lag at the disaster\n`);
    for (const r of [header, ...rows]) process.stdout.write(r.map((c, i) => c.padEnd(widths[i])).join('  ') + '\n');
  } finally {
    await lab.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:drill failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});

// `npm run chaos` (tsx tests/chaos/run.ts): the fault checker over real
// processes. 100 faults of every kind by default, DR failovers included.
//
//   --seed N        replay a run's plan (printed at the start and the end)
//   --faults N      how many faults (default 100)
//   --kinds a,b     only these kinds (kill,freeze,cut,stall,delay,recover,failover)
//   --roles a,b     only against these roles (primary,perf,dr)
//   --out DIR       where the history and node logs go (default reports/chaos/<seed>)
//   --keep          leave the nodes' data directories on disk
//   --dr N          DR secondaries (default: 2 when failovers are scheduled, else 1)
//
// COFFER_TEST_BIN=/path/to/bin/coffer runs the servers from another checkout
// (e.g. a `git archive HEAD` snapshot while the working tree is mid-edit).
//
// Exits 1 on any violation.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../support/cluster';
import { runChaos } from './harness';
import { report } from './report';
import { ALL_KINDS, describeFault, makeSchedule, type FaultKind, type Role } from './schedule';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    faults: { type: 'string', default: '100' },
    kinds: { type: 'string', default: ALL_KINDS.join(',') },
    roles: { type: 'string', default: 'primary,perf,dr' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    dr: { type: 'string' },
  },
});
const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const kinds = values.kinds!.split(',') as FaultKind[];
const roles = values.roles!.split(',') as Role[];
const schedule = makeSchedule(seed, { faults: Number(values.faults), kinds, roles, coverKinds: true });
const drSecondaries = (values.dr ? Number(values.dr) : kinds.includes('failover') ? 2 : 1) as 1 | 2;
const outDir = values.out ?? join(REPO_ROOT, 'reports', 'chaos', String(seed));
const rerun = `npm run chaos -- --seed ${seed} --faults ${values.faults}${values.kinds !== ALL_KINDS.join(',') ? ` --kinds ${values.kinds}` : ''}${values.roles !== 'primary,perf,dr' ? ` --roles ${values.roles}` : ''}${values.dr ? ` --dr ${values.dr}` : ''}`;

const log = (line: string) => console.log(line);
log(`chaos: seed ${seed}, ${schedule.length} faults`);
schedule.forEach((f, i) => log(`  plan ${String(i + 1).padStart(3)}: ${describeFault(f)}`));
const { history, verdict } = await runChaos({ seed, schedule, drSecondaries, outDir, keepData: values.keep, log });
log('');
for (const line of report(history, verdict, rerun)) log(line);
log(`history and node logs: ${outDir}`);
process.exit(verdict.violations.length ? 1 : 0);

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
//   --ha            the HA world instead: a 3-node cluster over etcd whose active
//                   the nemesis kills, freezes, cuts off from etcd and steps down
//                   (kinds kill-active,freeze-active,partition-active,step-down;
//                   20 faults by default); checks in check-ha.ts
//   --ha-dr         with --ha: a DR secondary (one node) follows the HA cluster
//
// COFFER_TEST_BIN=/path/to/bin/coffer runs the servers from another checkout
// (e.g. a `git archive HEAD` snapshot while the working tree is mid-edit).
//
// Exits 1 on any violation.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../support/cluster';
import { runChaos } from './harness';
import { runHaChaos } from './ha-harness';
import { haReport } from './ha-report';
import { report } from './report';
import { ALL_KINDS, describeFault, HA_KINDS, makeSchedule, type FaultKind, type Role } from './schedule';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    faults: { type: 'string' },
    kinds: { type: 'string' },
    roles: { type: 'string' },
    ha: { type: 'boolean', default: false },
    'ha-dr': { type: 'boolean', default: false },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    dr: { type: 'string' },
  },
});
const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const DEFAULT_KINDS = (values.ha ? HA_KINDS : ALL_KINDS).join(',');
const DEFAULT_ROLES = values.ha ? 'active' : 'primary,perf,dr';
const faults = values.faults ?? (values.ha ? '20' : '100');
const kinds = (values.kinds ?? DEFAULT_KINDS).split(',') as FaultKind[];
const roles = (values.roles ?? DEFAULT_ROLES).split(',') as Role[];
const schedule = makeSchedule(seed, { faults: Number(faults), kinds, roles, coverKinds: true });
const drSecondaries = (values.dr ? Number(values.dr) : kinds.includes('failover') ? 2 : 1) as 1 | 2;
const outDir = values.out ?? join(REPO_ROOT, 'reports', 'chaos', `${values.ha ? 'ha-' : ''}${seed}`);
const rerun = `npm run chaos -- ${values.ha ? '--ha ' : ''}${values['ha-dr'] ? '--ha-dr ' : ''}--seed ${seed} --faults ${faults}${values.kinds && values.kinds !== DEFAULT_KINDS ? ` --kinds ${values.kinds}` : ''}${values.roles && values.roles !== DEFAULT_ROLES ? ` --roles ${values.roles}` : ''}${values.dr ? ` --dr ${values.dr}` : ''}`;

const log = (line: string) => console.log(line);
log(`chaos${values.ha ? ' (HA)' : ''}: seed ${seed}, ${schedule.length} faults`);
schedule.forEach((f, i) => log(`  plan ${String(i + 1).padStart(3)}: ${describeFault(f)}`));
const { lines, violations } = values.ha
  ? await runHaChaos({ seed, schedule, drSecondary: values['ha-dr'], outDir, log }).then(({ history, verdict }) => ({ lines: haReport(history, verdict, rerun), violations: verdict.violations.length }))
  : await runChaos({ seed, schedule, drSecondaries, outDir, keepData: values.keep, log }).then(({ history, verdict }) => ({ lines: report(history, verdict, rerun), violations: verdict.violations.length }));
log('');
for (const line of lines) log(line);
log(`history and node logs: ${outDir}`);
process.exit(violations ? 1 : 0);

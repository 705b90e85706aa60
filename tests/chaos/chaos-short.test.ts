import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cluster';
import { runChaos } from './harness';
import { report } from './report';
import { describeFault, makeSchedule, type FaultKind } from './schedule';

// The fault checker's short run inside `npm test`: the same harness as
// `npm run chaos`, a fixed seed and a small schedule of faults the engine is
// expected to ride out. Seed 186 plans: a 7 s stall of the primary's
// performance links through the proxy (longer than the link timeout, so the
// liveness check has a window), a TCP cut of them, a DR failover (primary
// frozen, the DR secondary promoted, the performance secondary re-pointed,
// the old primary demoted and re-joined as DR secondary), then kill -9 and
// restart of that DR secondary and a 7 s SIGSTOP of it. A primary, a
// performance secondary and one DR secondary. Only `npm run chaos` covers
// the rest: faults on the primary itself, delays, recover, partitions,
// repeated failovers, a second DR secondary. Any violation fails the test
// with the full report.
const SEED = 186;
const KINDS: FaultKind[] = ['kill', 'cut', 'freeze', 'stall', 'failover'];
const schedule = makeSchedule(SEED, { faults: 5, kinds: KINDS, roles: ['perf', 'dr'], coverKinds: true });
const RERUN = `npm run chaos -- --seed ${SEED} --faults 5 --kinds ${KINDS.join(',')} --roles perf,dr --dr 1`;

it(`chaos, short seeded run (seed ${SEED}): ${schedule.map(describeFault).join('; ')}`, async () => {
  const lines: string[] = [];
  const { history, verdict } = await runChaos({ seed: SEED, schedule, drSecondaries: 1, outDir: join(REPO_ROOT, 'reports', 'chaos', 'short'), log: (l) => lines.push(l) });
  const text = [...lines, ...report(history, verdict, RERUN)].join('\n');
  console.log(text);
  expect(verdict.violations, text).toEqual([]);
  // The run really ran: writes were acknowledged through the faults and every pair converged.
  expect(verdict.figures.writes.acked).toBeGreaterThan(100);
  expect(verdict.figures.convergence.filter((c) => c.after === 'heal').map((c) => c.mode).sort()).toEqual(['dr', 'performance']);
  expect(verdict.figures.failovers).toHaveLength(1);
}, 240_000);

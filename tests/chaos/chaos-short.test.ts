import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cluster';
import { runChaos } from './harness';
import { report } from './report';
import { describeFault, makeSchedule } from './schedule';

// The fault checker's short run inside `npm test`: the same harness as
// `npm run chaos`, a fixed seed and a small schedule of faults the engine is
// expected to ride out — kill -9 and restart of a secondary, a TCP cut and a
// stall of the primary's links through the proxy, a SIGSTOP of a secondary
// (long enough, in this seed, to outlast the link timeout). A primary, a
// performance secondary and one DR secondary; no failover (that is in
// `npm run chaos`). Any violation fails the test with the full report.
const SEED = 23;
const schedule = makeSchedule(SEED, { faults: 4, kinds: ['kill', 'cut', 'freeze', 'stall'], roles: ['perf', 'dr'], coverKinds: true });

it(`chaos, short seeded run (seed ${SEED}): ${schedule.map(describeFault).join('; ')}`, async () => {
  const lines: string[] = [];
  const { history, verdict } = await runChaos({ seed: SEED, schedule, drSecondaries: 1, outDir: join(REPO_ROOT, 'reports', 'chaos', 'short'), log: (l) => lines.push(l) });
  const text = [...lines, ...report(history, verdict, `npm run chaos -- --seed ${SEED} --faults 4 --kinds kill,cut,freeze,stall --roles perf,dr`)].join('\n');
  console.log(text);
  expect(verdict.violations, text).toEqual([]);
  // The run really ran: writes were acknowledged through the faults and every pair converged.
  expect(verdict.figures.writes.acked).toBeGreaterThan(100);
  expect(verdict.figures.convergence.map((c) => c.mode).sort()).toEqual(['dr', 'performance']);
}, 240_000);

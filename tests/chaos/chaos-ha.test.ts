import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cluster';
import { runHaChaos } from './ha-harness';
import { haReport } from './ha-report';
import { describeFault, HA_KINDS, makeSchedule } from './schedule';

// The HA fault checker's short run inside `npm test`: the same harness as
// `npm run chaos -- --ha`, a fixed seed, each fault on the active once. Seed
// 570 plans: kill -9 of the active (restarted on its data), a SIGSTOP past
// the lease, a cut from etcd past the lease, and sys/step-down asked through
// a standby. Three nodes over a real 3-member etcd, writers through every
// node and one at the active, and a single-node DR secondary following the
// cluster across each failover. Any violation — a lost acknowledged write, two
// terms acknowledging in the same interval, an ack a fenced active could not
// have committed, a fault not followed by one agreed active, a DR secondary
// that does not stream from the new active (or needs a merkle sync), unequal
// merkle roots — fails the test with the full report.
const SEED = 570;
const schedule = makeSchedule(SEED, { faults: HA_KINDS.length, kinds: HA_KINDS, roles: ['active'], coverKinds: true });
const RERUN = `npm run chaos -- --ha --ha-dr --seed ${SEED} --faults ${HA_KINDS.length}`;

it(`HA chaos, short seeded run (seed ${SEED}): ${schedule.map(describeFault).join('; ')}`, async () => {
  const lines: string[] = [];
  const { history, verdict } = await runHaChaos({ seed: SEED, schedule, drSecondary: true, outDir: join(REPO_ROOT, 'reports', 'chaos', 'ha-short'), log: (l) => lines.push(l) });
  const text = [...lines, ...haReport(history, verdict, RERUN)].join('\n');
  console.log(text);
  expect(verdict.violations, text).toEqual([]);
  // The run really ran: every kind hit an active, writes were acknowledged across the faults and tied to several terms.
  expect(history.ha!.faults.map((f) => f.kind).sort(), text).toEqual([...HA_KINDS].sort());
  expect(verdict.figures.writes.acked, text).toBeGreaterThan(50);
  expect(verdict.figures.terms, text).toBeGreaterThanOrEqual(3);
  expect(verdict.figures.faults.every((f) => f.drFollowMs !== null), text).toBe(true);
  expect(history.convergence.map((c) => c.secondary), text).toContain('dr');
}, 300_000);

import { drInSync, drLag, replStatus } from './cluster-info';
import { call, must, until } from './http';
import { labControl } from './preflight';
import type { DrillRun } from './run-context';
import { DRAIN_TIMEOUT_MS, follow, FOLLOW_TIMEOUT_MS, joinAsDrSecondary, PROMOTE_TIMEOUT_MS } from './switchover';

// The fail-back half: the old primary re-joins as a DR secondary of the new
// one (demote + update-primary, never a wipe), catches up, and the roles are
// switched back the same careful way the planned switchover went.
const RESTART_TIMEOUT_MS = 120_000;

export async function failbackRejoin(run: DrillRun): Promise<string> {
  const P = run.primary;
  const S = run.secondary;
  if (run.plan.kind === 'unplanned') {
    await run.confirm('failback-rejoin', P.name, `start ${P.name} again through the lab, demote it and re-join it as a DR secondary of ${S.name} (its data is kept)`);
    const ctl = labControl(run);
    const via = ctl.addr === P.addr ? S : ctl;
    await must(via.addr, 'POST', `sys/lab/clusters/${encodeURIComponent(P.name)}/start`, { token: via.token, signal: run.signal, timeoutMs: RESTART_TIMEOUT_MS });
    await until(`${P.name} to answer again`, async () => (await call(P.addr, 'GET', 'sys/health', { timeoutMs: 2000 })).status !== 0, { timeoutMs: RESTART_TIMEOUT_MS, signal: run.signal });
    // It comes back thinking it is the primary of both sets (fenced: it hears it was superseded); it steps down from both.
    if ((await replStatus(P.addr, 'performance')).mode === 'primary') await must(P.addr, 'POST', 'sys/replication/performance/primary/demote', { token: P.token, signal: run.signal });
    if ((await replStatus(P.addr, 'dr')).mode === 'primary') await must(P.addr, 'POST', 'sys/replication/dr/primary/demote', { token: P.token, signal: run.signal });
  } else {
    await run.confirm('failback-rejoin', P.name, `re-join ${P.name} as a DR secondary of ${S.name} (update-primary: its data is kept)`);
  }
  await joinAsDrSecondary(run, P, S, P.name);
  run.progress = 'old-rejoined';
  return `${P.name} is a DR secondary of ${S.name}`;
}

export async function failbackSync(run: DrillRun): Promise<string> {
  const P = run.primary;
  const S = run.secondary;
  await until(`${P.name} to stream from ${S.name}`, async () => (await replStatus(P.addr, 'dr')).state === 'stream-wals', { timeoutMs: FOLLOW_TIMEOUT_MS, signal: run.signal });
  // Canaries keep writing, so equal roots are caught between two writes: a lag of zero counts too.
  await until(`${P.name} to catch up`, async () => (await drInSync(S.addr, P.addr)) !== null || (await drLag(S.addr, P.addr)) === 0, { timeoutMs: FOLLOW_TIMEOUT_MS, everyMs: 50, signal: run.signal });
  return `${P.name} streams from ${S.name} and has caught up`;
}

export async function failbackSwitch(run: DrillRun): Promise<string> {
  const P = run.primary;
  const S = run.secondary;
  await run.confirm('failback-switch', S.name, `demote ${S.name}, the interim DR primary`);
  await run.confirm('failback-switch', P.name, `promote ${P.name} back to DR primary`);
  const w = run.writer!;
  await w.pause();
  try {
    const root = await until(`${P.name} to have everything ${S.name} acknowledged`, () => drInSync(S.addr, P.addr, run.signal), { timeoutMs: DRAIN_TIMEOUT_MS, everyMs: 50, signal: run.signal });
    run.log('failback-switch', `merkle roots equal (${root.slice(0, 12)}…)`);
    await must(S.addr, 'POST', 'sys/replication/dr/primary/demote', { token: S.token, signal: run.signal });
    run.progress = 'new-demoted';
    await must(P.addr, 'POST', 'sys/replication/dr/secondary/promote', { body: { dr_operation_token: run.plan.drOperationToken }, signal: run.signal });
    await until(`${P.name} to be the DR primary again`, async () => (await replStatus(P.addr, 'dr')).mode === 'primary', { timeoutMs: PROMOTE_TIMEOUT_MS, everyMs: 50, signal: run.signal });
    // Acknowledged by the original primary again.
    w.setTarget({ addr: P.addr, token: P.token, who: 'old' });
  } finally {
    w.resume();
  }
  await joinAsDrSecondary(run, S, P, run.secondaryId || S.name);
  run.progress = 'failed-back';
  for (const o of run.others) await follow(run, o, P, 'failback-switch');
  await until(`${S.name} to stream from ${P.name}`, async () => (await replStatus(S.addr, 'dr')).state === 'stream-wals', { timeoutMs: FOLLOW_TIMEOUT_MS, signal: run.signal });
  return `${P.name} is the DR primary again; ${[S.name, ...run.others.map((o) => o.name)].join(', ')} follow it`;
}

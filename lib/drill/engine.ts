import { clusterName } from './cluster-info';
import { ACTION_TIMEOUT_MS, call, callAnswered } from './http';
import { failbackRejoin, failbackSwitch, failbackSync } from './failback';
import { preflight } from './preflight';
import { buildReport } from './report';
import { DrillAborted, DrillRun, type Cluster } from './run-context';
import { disaster, mountOf, prepare, promote, updateOthers, verifyOn } from './switchover';
import type { DrillOutcome, DrillPlan, DrillReport, DrillStepId, RunDrill } from './types';

// The DR drill engine: walks the steps in order, in the caller's process (a
// console tab or the CLI), against each cluster's own API. It never throws:
// an abort, a refusal or a failure ends the walk and the report says what
// state is left and how to get back. At the end the report is kept in
// sys/drills on the cluster the drill was started from.
type StepFn = (run: DrillRun) => Promise<string>;

const SWITCHOVER: [DrillStepId, StepFn][] = [
  ['prepare', prepare],
  ['disaster', disaster],
  ['promote', promote],
  ['update-primary', updateOthers],
  ['verify', (run) => verifyOn(run, run.secondary, 'after-promotion')],
];
const FAILBACK: [DrillStepId, StepFn][] = [
  ['failback-rejoin', failbackRejoin],
  ['failback-sync', failbackSync],
  ['failback-switch', failbackSwitch],
  ['failback-verify', (run) => verifyOn(run, run.primary, 'after-failback')],
];

export function newDrillId(now = new Date()): string {
  const rand = Math.random().toString(36).slice(2, 8);
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${rand}`.toLowerCase();
}

async function resolve(ref: DrillPlan['primary']): Promise<Cluster> {
  return { ...ref, name: ref.name ?? (await clusterName(ref.addr)) ?? ref.addr };
}

async function runStep(run: DrillRun, id: DrillStepId, fn: StepFn): Promise<void> {
  run.update(id, { state: 'running', startedAt: new Date().toISOString() });
  try {
    const summary = await fn(run);
    run.update(id, { state: 'done', endedAt: new Date().toISOString(), summary });
  } catch (err) {
    const aborted = err instanceof DrillAborted || run.signal?.aborted;
    run.update(id, { state: aborted ? 'aborted' : 'failed', endedAt: new Date().toISOString(), summary: aborted ? `aborted: ${reasonOf(err, run)}` : (err as Error).message });
    throw err;
  }
}

function reasonOf(err: unknown, run: DrillRun): string {
  if (err instanceof DrillAborted) return err.message;
  if (run.signal?.aborted) return String((run.signal.reason as Error)?.message ?? run.signal.reason ?? 'aborted');
  return (err as Error)?.message ?? String(err);
}

/** Where the drill's state ends: the canary mount goes, the probe token is revoked. */
async function cleanUp(run: DrillRun): Promise<void> {
  const live = run.progress === 'failed-back' || run.progress === 'untouched' ? run.primary : run.progress === 'secondary-promoted' || run.progress === 'old-rejoined' ? run.secondary : null;
  if (!live) return;
  if (run.probeToken) await call(live.addr, 'POST', 'auth/token/revoke-accessor', { token: live.token, body: { accessor: run.probeToken.accessor }, timeoutMs: ACTION_TIMEOUT_MS });
  if (run.mountCreated && !run.plan.keepCanaries) await call(live.addr, 'DELETE', `sys/mounts/${mountOf(run)}`, { token: live.token, timeoutMs: ACTION_TIMEOUT_MS });
}

async function store(run: DrillRun, report: DrillReport): Promise<string | null> {
  const first = run.plan.recordOn ?? run.primary;
  const candidates = [first, ...(run.progress === 'failed-back' || run.progress === 'untouched' ? [] : [run.secondary])];
  for (const c of candidates) {
    const r = await callAnswered(c.addr, 'PUT', `sys/drills/${run.id}`, { token: c.token, body: { ...report, storedOn: c.addr }, withinMs: 60_000 });
    if (r.status === 200 || r.status === 204) return c.addr;
    run.log('report', `could not store the report on ${c.addr}: ${r.error}`);
  }
  return null;
}

export const runDrill: RunDrill = async (plan, callbacks) => {
  const [primary, secondary] = await Promise.all([resolve(plan.primary), resolve(plan.secondary)]);
  const run = new DrillRun(newDrillId(), plan, primary, secondary, callbacks);
  let outcome: DrillOutcome = 'passed';
  let reason: string | undefined;
  let incomplete = false;
  try {
    await runStep(run, 'preflight', async (r) => {
      const checks = await preflight(r);
      const bad = checks.filter((c) => !c.ok && c.severity !== 'warning');
      if (bad.length) throw new Error(`preflight: ${bad.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
      return `${checks.length} checks passed`;
    });
    for (const [id, fn] of SWITCHOVER) await runStep(run, id, fn);
    if (plan.failBack === false) for (const [id] of FAILBACK) run.update(id, { state: 'skipped', summary: 'fail back not asked for' });
    else for (const [id, fn] of FAILBACK) await runStep(run, id, fn);
  } catch (err) {
    incomplete = true;
    outcome = err instanceof DrillAborted || callbacks.signal?.aborted ? 'aborted' : 'failed';
    reason = reasonOf(err, run);
    for (const s of run.steps.values()) if (s.state === 'pending' && s.id !== 'report') run.update(s.id, { state: 'skipped' });
  }

  run.update('report', { state: 'running', startedAt: new Date().toISOString() });
  await run.writer?.stop();
  if (!incomplete) await cleanUp(run).catch((e) => run.log('report', `clean-up: ${(e as Error).message}`));
  let report = buildReport(run, outcome, reason, incomplete);
  if (outcome === 'passed') {
    const misses = [...(report.rpo.met ? [] : [`RPO ${report.rpo.windowMs} ms / ${report.rpo.lost} lost > target ${plan.targets.rpoMs} ms`]), ...(report.rto.met ? [] : [`RTO ${report.rto.ms ?? '∞'} ms > target ${plan.targets.rtoMs} ms`]), ...report.verifications.filter((v) => !v.ok).map((v) => `${v.name}: ${v.detail}`)];
    if (misses.length) report = { ...report, outcome: 'failed', reason: misses.join('; ') };
  }
  run.update('report', { state: 'done', endedAt: new Date().toISOString(), summary: `RPO ${report.rpo.lost} lost (${report.rpo.met ? 'met' : 'missed'}), RTO ${report.rto.ms ?? '–'} ms (${report.rto.met ? 'met' : 'missed'})` });
  report = { ...report, steps: report.steps.map((s) => (s.id === 'report' ? { ...run.steps.get('report')! } : s)) };
  report.storedOn = await store(run, report).catch(() => null);
  callbacks.onEvent?.({ type: 'done', report });
  return report;
};

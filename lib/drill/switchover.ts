import { CanaryWriter } from './canaries';
import { clusterAddrOf, drInSync, drLag, replStatus } from './cluster-info';
import { ACTION_TIMEOUT_MS, ANSWER_WITHIN_MS, call, callAnswered, must, until } from './http';
import { labControl } from './preflight';
import { computeRpo } from './rpo-rto';
import type { Cluster, DrillRun, OtherCluster } from './run-context';
import { canariesOn, compareSample, sampleSecrets } from './sample';
import { DEFAULT_CANARY_MOUNT, DEFAULT_CANARY_RATE, DEFAULT_SAMPLE_SIZE } from './types';

// The switchover half of a drill: prepare canaries, the disaster, promotion,
// re-pointing the other secondaries, verification on the new primary.
export const DRAIN_TIMEOUT_MS = 30_000;
export const PROMOTE_TIMEOUT_MS = 60_000;
export const FOLLOW_TIMEOUT_MS = 120_000;
const STOPPED_TIMEOUT_MS = 15_000;

export const mountOf = (run: DrillRun) => run.plan.canaryMount ?? DEFAULT_CANARY_MOUNT;

export async function prepare(run: DrillRun): Promise<string> {
  const P = run.primary;
  const mount = mountOf(run);
  const mounts = await must(P.addr, 'GET', 'sys/mounts', { token: P.token, signal: run.signal });
  if (!(mounts?.data ?? mounts)?.[`${mount}/`]) {
    await must(P.addr, 'POST', `sys/mounts/${mount}`, { token: P.token, body: { type: 'kv', options: { version: '2' }, description: 'DR drill canaries' }, signal: run.signal });
    run.mountCreated = true;
  }
  run.sample = await sampleSecrets(P, run.plan.sampleSize ?? DEFAULT_SAMPLE_SIZE, mount, run.signal);
  // A token made on the primary: after promotion it must work on the new one (DR replicates tokens).
  const t = await must(P.addr, 'POST', 'auth/token/create', { token: P.token, body: { policies: ['default'], ttl: '2h', display_name: 'drill-probe', meta: { drill: run.id } }, signal: run.signal });
  run.probeToken = { token: t.auth.client_token, accessor: t.auth.accessor };

  const rate = run.plan.canaryRate ?? DEFAULT_CANARY_RATE;
  run.writer = new CanaryWriter({
    mount,
    prefix: run.id,
    rate,
    onSecond: (second) => run.cb.onEvent?.({ type: 'canary', second }),
    sampleLag: () => (run.progress === 'untouched' ? drLag(P.addr, run.secondary.addr) : run.progress === 'old-rejoined' ? drLag(run.secondary.addr, P.addr) : Promise.resolve(null)),
  });
  run.writer.start({ addr: P.addr, token: P.token, who: 'old' });
  await until('the first canaries on the primary', async () => run.writer!.acks.length >= Math.min(rate, 10), { timeoutMs: 30_000, signal: run.signal });
  return `canaries at ${rate}/s to ${mount}/ on ${P.name}; ${run.sample.size} existing secrets sampled`;
}

export async function disaster(run: DrillRun): Promise<string> {
  const P = run.primary;
  const S = run.secondary;
  if (run.plan.kind === 'planned') {
    await run.confirm('disaster', P.name, `demote the DR primary ${P.name} (it stops serving clients)`);
    // A planned switchover loses nothing: drain, let the secondary catch up, then demote.
    await run.writer!.pause();
    const root = await until('the secondary to catch up before the demotion', () => drInSync(P.addr, S.addr, run.signal), { timeoutMs: DRAIN_TIMEOUT_MS, everyMs: 50, signal: run.signal });
    run.lagAtDisaster = { wals: 0, ms: 0 };
    run.rootAtDisaster = root;
    run.disasterAt = Date.now();
    try {
      await must(P.addr, 'POST', 'sys/replication/dr/primary/demote', { token: P.token, signal: run.signal });
      run.progress = 'primary-demoted';
    } finally {
      run.writer!.resume(); // from here on they go to a demoted cluster, which refuses them: the outage
    }
    return `${P.name} demoted with ${S.name} in sync (merkle root ${root.slice(0, 12)}…)`;
  }
  const ctl = labControl(run);
  await run.confirm('disaster', P.name, `stop ${P.name} without warning (SIGKILL through the lab)`);
  const lag = await drLag(P.addr, S.addr);
  run.lagAtDisaster = { wals: lag, ms: null };
  run.disasterAt = Date.now();
  const r = await call(ctl.addr, 'POST', `sys/lab/clusters/${encodeURIComponent(P.name)}/stop`, { token: ctl.token, signal: run.signal });
  // Asked through the victim itself, the answer may die with it: the proof is that it stops answering.
  if (r.status !== 200 && r.status !== 204 && r.status !== 0) throw new Error(`lab stop of ${P.name}: ${r.error}`);
  run.progress = 'primary-stopped';
  await until(`${P.name} to stop answering`, async () => (await call(P.addr, 'GET', 'sys/health', { timeoutMs: 1000 })).status === 0, { timeoutMs: STOPPED_TIMEOUT_MS, everyMs: 100, signal: run.signal });
  return `${P.name} killed (lag at the disaster: ${lag ?? 'unknown'} WAL entries)`;
}

export async function promote(run: DrillRun): Promise<string> {
  const S = run.secondary;
  await run.confirm('promote', S.name, `promote the DR secondary ${S.name} to DR primary`);
  await must(S.addr, 'POST', 'sys/replication/dr/secondary/promote', { body: { dr_operation_token: run.plan.drOperationToken }, signal: run.signal });
  run.progress = 'secondary-promoted';
  await until(`${S.name} to be the DR primary`, async () => (await replStatus(S.addr, 'dr')).mode === 'primary', { timeoutMs: PROMOTE_TIMEOUT_MS, everyMs: 50, signal: run.signal });
  run.writer!.setTarget({ addr: S.addr, token: S.token, who: 'new' });
  const wait = Math.max(PROMOTE_TIMEOUT_MS, run.plan.targets.rtoMs * 3);
  await until(`the first canary on ${S.name}`, async () => run.writer!.ackedBy('new') > 0, { timeoutMs: wait, everyMs: 20, signal: run.signal });
  const first = run.writer!.acks.find((a) => a.by === 'new')!;
  return `${S.name} is the DR primary; first canary acknowledged ${first.at - run.disasterAt!} ms after the disaster`;
}

/** Point one secondary at `to`: performance ones by address, DR ones with a fresh activation token. */
export async function follow(run: DrillRun, o: OtherCluster, to: Cluster, step: 'update-primary' | 'failback-switch'): Promise<void> {
  await run.confirm(step, o.name, `point ${o.name} (${o.mode} secondary) at ${to.name}`);
  if (o.mode === 'performance') {
    const addr = await clusterAddrOf(to.addr, run.signal);
    await must(o.addr, 'POST', 'sys/replication/performance/secondary/update-primary', { token: o.token, body: { update_primary_addrs: [addr] }, signal: run.signal });
    await until(`${o.name} to stream from ${to.name}`, async () => {
      const s = await replStatus(o.addr, 'performance');
      return s.primary_cluster_addr === addr && s.state === 'stream-wals' && s.connection_state === 'ready';
    }, { timeoutMs: FOLLOW_TIMEOUT_MS, signal: run.signal });
    return;
  }
  await joinAsDrSecondary(run, o, to, o.secondaryId || o.name);
  await until(`${o.name} to stream from ${to.name}`, async () => (await replStatus(o.addr, 'dr')).state === 'stream-wals', { timeoutMs: FOLLOW_TIMEOUT_MS, signal: run.signal });
}

const JOIN_ATTEMPTS = 3;

/**
 * Make `who` a DR secondary of `under` without a wipe (update-primary with a
 * fresh activation token). A loaded primary may answer the unwrap too late
 * for the joining side, which then gives up with the token possibly spent:
 * try again with a new one.
 */
export async function joinAsDrSecondary(run: DrillRun, who: { name: string; addr: string }, under: Cluster, id: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const tok = await activationToken(run, under, 'dr', id);
    try {
      await must(who.addr, 'POST', 'sys/replication/dr/secondary/update-primary', { body: { dr_operation_token: run.plan.drOperationToken, token: tok }, signal: run.signal });
      return;
    } catch (err) {
      if (attempt >= JOIN_ATTEMPTS || run.signal?.aborted || !/unwrap|timed out|unreachable/i.test((err as Error).message)) throw err;
      run.log(run.progress === 'old-rejoined' ? 'failback-switch' : 'failback-rejoin', `${who.name}: ${(err as Error).message}; trying again with a new activation token`);
    }
  }
}

/** A fresh activation token under `id` (revoking an earlier one of that id first). */
export async function activationToken(run: DrillRun, on: Cluster, mode: 'dr' | 'performance', id: string): Promise<string> {
  await call(on.addr, 'POST', `sys/replication/${mode}/primary/revoke-secondary`, { token: on.token, body: { id }, signal: run.signal, timeoutMs: ACTION_TIMEOUT_MS });
  const t = await must(on.addr, 'POST', `sys/replication/${mode}/primary/secondary-token`, { token: on.token, body: { id }, signal: run.signal });
  return t.wrap_info.token;
}

export async function updateOthers(run: DrillRun): Promise<string> {
  if (!run.others.length) return 'no other secondaries';
  for (const o of run.others) {
    await follow(run, o, run.secondary, 'update-primary');
    run.log('update-primary', `${o.name} follows ${run.secondary.name}`);
  }
  return `${run.others.map((o) => o.name).join(', ')} follow ${run.secondary.name}`;
}

export async function verifyOn(run: DrillRun, c: Cluster, phase: 'after-promotion' | 'after-failback'): Promise<string> {
  const step = phase === 'after-promotion' ? 'verify' : 'failback-verify';
  const w = run.writer!;
  const present = await canariesOn(c, mountOf(run), run.id, run.signal);
  if (phase === 'after-promotion') {
    run.rpo = computeRpo(w.acks, present, run.disasterAt, run.plan.targets.rpoMs, run.lagAtDisaster);
    const byOld = w.ackedBy('old');
    run.verify(phase, step, 'canaries from the old primary', run.rpo.lost === 0, `${byOld - run.rpo.lost} of ${byOld} acknowledged by ${run.primary.name} are on ${c.name}${run.rpo.lost ? `; ${run.rpo.lost} lost` : ''}`);
  } else {
    const missing = w.acks.filter((a) => a.by === 'new' && !present.has(a.seq)).length;
    run.verify(phase, step, 'canaries from the interim primary', missing === 0, `${w.ackedBy('new') - missing} of ${w.ackedBy('new')} acknowledged by ${run.secondary.name} are on ${c.name}`);
  }
  if (phase === 'after-promotion' && run.plan.kind === 'planned')
    run.verify(phase, step, 'merkle roots at the disaster', run.rootAtDisaster !== null, run.rootAtDisaster ? `${run.secondary.name} had ${run.primary.name}'s merkle root ${run.rootAtDisaster.slice(0, 12)}… when it was demoted` : 'not compared');
  const bad = await compareSample(c, run.sample, run.signal);
  run.verify(phase, step, 'existing secrets by value', bad.length === 0, bad.length ? `differ or missing: ${bad.slice(0, 5).join(', ')}` : `${run.sample.size} sampled secrets equal`);
  const t = await callAnswered(c.addr, 'GET', 'auth/token/lookup-self', { token: run.probeToken!.token, signal: run.signal });
  run.verify(phase, step, 'replicated token works', t.status === 200, t.status === 200 ? `a token made on ${run.primary.name} before the disaster is valid on ${c.name}` : `refused: ${t.error}`);
  for (const o of run.others) {
    const mode = o.mode;
    const [a, b] = await until(`the status of ${c.name} and ${o.name}`, () => Promise.all([replStatus(c.addr, mode), replStatus(o.addr, mode)]), { timeoutMs: ANSWER_WITHIN_MS, everyMs: 500, signal: run.signal });
    const ok = b.state === 'stream-wals' && (mode === 'dr' || b.cluster_id === a.cluster_id);
    run.verify(phase, step, `${o.name} follows ${c.name}`, ok, `${mode} secondary state ${b.state}, connection ${b.connection_state}`);
  }
  const failed = run.verifications.filter((v) => v.phase === phase && !v.ok).length;
  return failed ? `${failed} verification(s) failed` : 'all verifications passed';
}

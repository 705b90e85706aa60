import type { ChaosNode } from './chaos-node';
import type { Clients } from './clients';
import type { ClusterDriver } from './cluster-driver';
import { recordPartition, type Failover, type History, type NodeName } from './history';
import { sleep, until } from './http';
import { measureConvergence } from './convergence';
import { listKeys } from './readback';
import type { Fault, Isolation } from './schedule';

// A DR failover and its fail-back, as seed 002's operator does them:
// the primary is lost (killed, frozen, or cut off from its secondaries while
// clients can still reach it), a DR secondary is promoted with the batch DR
// operation token, the other DR secondaries are re-pointed at it with fresh
// activation tokens and the performance secondary with a token or by
// address (update_primary_addrs), clients move over — except a stale one
// that keeps writing to the old primary. Later the old primary returns, is
// demoted, and follows the new one as a DR secondary; with writes paused,
// every merkle root must then come to agree.
//
// Recorded: what the promoted node held right after promotion (for the RPO
// check), when the promotion returned, when the old primary came back, said
// it was superseded and was demoted, and the convergence after fail-back.
const FENCE_WAIT_MS = 10_000;
/** A re-joined old primary may merkle-sync the whole store on a loaded box. */
const FAILBACK_CONVERGE_WAIT_MS = 30_000;
const LOST_AS: Record<Isolation, string> = { kill: 'killed', freeze: 'frozen', partition: 'partitioned' };

/** Cut the old primary off; returns how to bring it back (idempotent). */
async function isolate(node: ChaosNode, how: Isolation, unsealKey: string): Promise<() => Promise<void>> {
  // (A partition reaches only the links through the proxies; recorded by the caller.)
  if (how === 'kill') await node.kill();
  else if (how === 'freeze') node.freeze();
  else for (const p of Object.values(node.proxies)) p.pause();
  let restored = false;
  return async () => {
    if (restored) return;
    restored = true;
    if (how === 'kill') await node.restart(unsealKey);
    else if (how === 'freeze') node.thaw();
    else for (const p of Object.values(node.proxies)) p.resume();
  };
}

/** The DR secondary an operator would promote: streaming, and furthest along the primary's log (`pick` breaks ties). */
async function bestCandidate(d: ClusterDriver, pick: number): Promise<{ name: NodeName; epoch: number }> {
  const seen = await Promise.all(
    d.drSecondaries.map(async (name, i) => {
      const s = await d.status(name, 'dr').catch(() => ({}) as Record<string, any>);
      return { name, epoch: Number(s.epoch ?? 0), streaming: s.state === 'stream-wals' ? 1 : 0, wal: Number(s.last_remote_wal ?? -1), tie: (i + pick) % d.drSecondaries.length };
    }),
  );
  seen.sort((a, b) => b.streaming - a.streaming || b.wal - a.wal || a.tie - b.tie);
  return seen[0];
}

export async function failover(d: ClusterDriver, clients: Clients, h: History, clock: () => number, n: number, f: Fault): Promise<string> {
  if (!d.drSecondaries.length) return '- skipped: no DR secondary to promote';
  const old = d.primary;
  const notes: string[] = [];

  // Forwarded writes wait while their primary changes under them (their ack could not be attributed).
  await clients.pauseForwarding();
  clients.stalePrimary = old;
  const through = f.isolation === 'partition' ? { dr: await d.followersThroughProxy(old, 'dr'), performance: await d.followersThroughProxy(old, 'performance') } : null;
  const startedAt = clock();
  const restore = await isolate(d.node(old), f.isolation, d.unsealKey);
  try {
    const { name: fresh, epoch: oldEpoch } = await bestCandidate(d, f.pick);
    const newEpoch = await d.promote(fresh);
    const promotedAt = clock();
    const record: Failover = { n, oldPrimary: old, newPrimary: fresh, oldEpoch, newEpoch, startedAt, promotedAt, presentOnPromoted: await listKeys(d, fresh) };
    h.failovers.push(record);
    notes.push(`${fresh} promoted (epoch ${newEpoch}) ${promotedAt - startedAt} ms after ${old} was ${LOST_AS[f.isolation]}`);

    for (const s of [...d.drSecondaries]) {
      try {
        await d.followDr(s);
      } catch (err) {
        h.driverErrors.push(`failover ${n}: DR secondary ${s} could not follow ${fresh}: ${(err as Error).message}`);
      }
    }
    try {
      const by = f.pick % 2 ? 'token' : 'addrs';
      await d.followPerf(by);
      notes.push(`${d.perfSecondary} follows ${fresh} (update-primary by ${by === 'token' ? 'a new activation token' : 'update_primary_addrs'})`);
    } catch (err) {
      h.driverErrors.push(`failover ${n}: performance secondary ${d.perfSecondary} could not follow the promoted ${fresh} (issue 8 item 9): ${(err as Error).message}`);
      d.perfSecondary = null; // detached: left out of what follows
    }
    clients.resumeForwarding();
    await sleep(f.ms);

    // Fail-back: the old primary returns undemoted, should notice it was superseded, is demoted and follows.
    const back = clock();
    await restore();
    record.returnedAt = clock();
    if (through) for (const m of ['dr', 'performance'] as const) recordPartition(h, old, m, through[m], startedAt, back, `${old} partitioned in failover ${n}`);
    else h.silences.push({ peer: old, from: startedAt, to: back, cause: `${old} ${LOST_AS[f.isolation]} in failover ${n}` });
    try {
      await until(`${old} to report itself superseded`, async () => (await d.status(old, 'dr')).superseded_by, FENCE_WAIT_MS, 100);
      record.fencedAt = clock();
      notes.push(`${old} reported itself superseded ${record.fencedAt - record.returnedAt} ms after it returned`);
    } catch {
      notes.push(`${old} did not report itself superseded within ${FENCE_WAIT_MS} ms of returning`);
    }
    await d.demote(old);
    record.demotedAt = clock();
    clients.stalePrimary = null;
    await d.followDr(old);
    notes.push(`${old} demoted and following ${fresh}`);
    // With writes paused, every root must come to agree: the re-joined old primary sheds what it acknowledged alone.
    await clients.quiesce();
    try {
      const conv = await measureConvergence(d, clock, `fail-back ${n}`, FAILBACK_CONVERGE_WAIT_MS);
      h.convergence.push(...conv);
      const slowest = conv.reduce((m, c) => (c.ms === null ? Infinity : Math.max(m, c.ms)), 0);
      notes.push(slowest === Infinity ? 'roots did NOT agree after the fail-back' : `roots agreed ${slowest} ms after the fail-back`);
    } finally {
      clients.resume();
    }
    return `${old} → ${fresh}: ${notes.join('; ')}`;
  } finally {
    // A move that failed half-way still gives the old primary back, so the run goes on.
    await restore().catch(() => {});
    clients.stalePrimary = null;
    clients.resumeForwarding();
  }
}

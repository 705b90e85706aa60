import { DEFAULT_LEASE_TTL_SECONDS } from '../../server/ha/election';
import { checkDrFollows, DEFAULT_DR_FOLLOW_LIMIT_MS } from './check-ha-dr';
import { checkConvergence, DEFAULT_CONVERGE_LIMIT_MS } from './check-liveness';
import { checkLostWrites, checkReads, type Violation } from './check-writes';
import { termOf, type HaFault, type HaSample } from './ha-history';
import type { History, NodeName, WriteOp } from './history';
import { PAST_LEASE_MS } from './schedule';

// The invariants of an HA cluster under faults on its active, over the
// recorded history alone:
// - two-actives: terms of office (node + active_time) extend etcd's log one
//   after another, never interleaved. A write is tied to a term when the node
//   that answered it said, in every sys/leader sample from the last answered
//   before the write was sent to the first sent after its answer, that it was
//   active in that one term (it cannot have forwarded it then). Two terms
//   violate it when each acknowledged a write that finished before a write of
//   the other was sent: then neither term's acknowledgements can all precede
//   the other's.
// - fencing: an active cut off from etcd acknowledges nothing it was sent
//   while cut off, and a term whose lease ran out during a freeze or a cut
//   acknowledges nothing sent after the fault began.
// - stale-active: a term claimed (is_self) after a later term was seen is
//   stale; while its node is cut off from etcd (alive, serving its API) that
//   is a violation, as ha-fencing.test.ts holds; elsewhere (a node just thawed)
//   it is counted.
// - recovery (liveness): after each fault the nodes agree on one active
//   within the limit, and some write sent after the fault began is
//   acknowledged before the next fault.
// - no acknowledged write lost on any node; equal merkle roots at the end;
//   a write read back at once on the node that answered it is there, with
//   its value (read-your-writes on a standby; check-writes.ts checkReads).
// - with a DR secondary: check-ha-dr.ts.
export const LEASE_MS = DEFAULT_LEASE_TTL_SECONDS * 1000;
/** From giving the node back to one agreed active with that node serving: a restart on a loaded box takes most of it. */
export const DEFAULT_RECOVERY_LIMIT_MS = 30_000;

export interface HaFaultFigures {
  n: number;
  kind: string;
  node: NodeName;
  activeAfter: NodeName | null;
  /** From the fault's start to the first acknowledgement of a write sent after it (the clients' view of the failover). */
  rtoMs: number | null;
  /** From giving the node back to one agreed active. */
  recoveryMs: number | null;
  /** With a DR secondary: from one agreed active to it streaming new records again. */
  drFollowMs: number | null;
}

export interface HaVerdict {
  violations: Violation[];
  figures: {
    writes: { acked: number; failed: number; unknown: number };
    lost: number;
    /** Acknowledged writes tied to a term, and how many terms acknowledged any. */
    attributed: number;
    terms: number;
    /** sys/leader answers claiming a term after a later one had been seen. */
    staleClaims: number;
    faults: HaFaultFigures[];
  };
}

export interface HaCheckOptions {
  recoveryLimitMs?: number;
  convergeLimitMs?: number;
  drFollowLimitMs?: number;
}

function byNode(samples: HaSample[]): Map<NodeName, HaSample[]> {
  const out = new Map<NodeName, HaSample[]>();
  for (const s of samples) out.set(s.node, [...(out.get(s.node) ?? []), s]);
  for (const list of out.values()) list.sort((a, b) => a.sentAt - b.sentAt);
  return out;
}

/** The term the node held all through [from, to], or undefined when its samples cannot tell. Samples of one node ascend in both times. */
export function termDuring(samples: HaSample[], from: number, to: number): string | undefined {
  let b = -1;
  while (b + 1 < samples.length && samples[b + 1].receivedAt < from) b++;
  let a = b + 1;
  while (a < samples.length && samples[a].sentAt <= to) a++;
  if (b < 0 || a >= samples.length) return undefined;
  const first = samples[b];
  for (let i = b; i <= a; i++) if (!samples[i].isSelf || samples[i].activeTime !== first.activeTime) return undefined;
  return termOf(first);
}

/** Acknowledged writes grouped by the term that acknowledged them (only those the samples pin down). */
export function attribute(h: History): Map<string, WriteOp[]> {
  const samples = byNode(h.ha?.samples ?? []);
  const out = new Map<string, WriteOp[]>();
  for (const w of h.writes) {
    if (w.outcome !== 'ok') continue;
    const t = termDuring(samples.get(w.via) ?? [], w.invokedAt, w.completedAt);
    if (t) out.set(t, [...(out.get(t) ?? []), w]);
  }
  return out;
}

const show = (w: WriteOp) => `${w.key} (sent +${w.invokedAt}, acked +${w.completedAt})`;

export function checkTwoActives(terms: Map<string, WriteOp[]>): Violation[] {
  const span = [...terms].map(([term, ws]) => ({
    term,
    firstAck: ws.reduce((m, w) => (w.completedAt < m.completedAt ? w : m)),
    lastSend: ws.reduce((m, w) => (w.invokedAt > m.invokedAt ? w : m)),
  }));
  const out: Violation[] = [];
  for (let i = 0; i < span.length; i++) {
    for (let j = i + 1; j < span.length; j++) {
      const [a, b] = [span[i], span[j]];
      if (a.firstAck.completedAt < b.lastSend.invokedAt && b.firstAck.completedAt < a.lastSend.invokedAt) {
        out.push({
          invariant: 'two-actives',
          message: `terms ${a.term} and ${b.term} both acknowledged writes in the same interval: ${a.term} acked ${show(a.firstAck)} before ${b.term}'s ${show(b.lastSend)} was sent, and ${b.term} acked ${show(b.firstAck)} before ${a.term}'s ${show(a.lastSend)} was sent`,
        });
      }
    }
  }
  return out;
}

/** The term the node held when the fault began (its last answer before it), if it said it was active. */
function termAt(samples: HaSample[], t: number): string | undefined {
  const before = samples.filter((s) => s.receivedAt <= t);
  const last = before[before.length - 1];
  return last?.isSelf ? termOf(last) : undefined;
}

export function checkFencing(h: History, terms: Map<string, WriteOp[]>): Violation[] {
  const samples = byNode(h.ha?.samples ?? []);
  const out: Violation[] = [];
  for (const f of h.ha?.faults ?? []) {
    if ((f.kind !== 'partition-active' && f.kind !== 'freeze-active') || f.restoredAt === undefined) continue;
    const held = termAt(samples.get(f.node) ?? [], f.startedAt);
    const expired = f.restoredAt - f.startedAt >= PAST_LEASE_MS;
    for (const [term, ws] of terms) {
      if (!term.startsWith(`${f.node}@`)) continue;
      const whileCut = f.kind === 'partition-active' ? ws.filter((w) => w.invokedAt >= f.startedAt && w.completedAt <= f.restoredAt!) : [];
      const afterExpiry = expired && term === held ? ws.filter((w) => w.invokedAt >= f.startedAt) : [];
      const bad = [...new Set([...whileCut, ...afterExpiry])];
      if (bad.length) {
        out.push({
          invariant: 'fencing',
          message: `fault ${f.n} (${f.kind} of ${f.node}, +${f.startedAt}…+${f.restoredAt}): term ${term} acknowledged ${bad.length} writes it could not have committed to etcd (${whileCut.length ? 'sent and answered while it was cut off' : `its lease (${LEASE_MS} ms) ran out during the fault`}): ${bad.slice(0, 3).map(show).join(', ')}`,
        });
      }
    }
  }
  return out;
}

/** Samples claiming a term after a sample of a later term (active_time: one host, one clock) had been received. */
export function staleClaims(samples: HaSample[]): HaSample[] {
  const claims = samples.filter((s) => s.isSelf).sort((a, b) => a.receivedAt - b.receivedAt);
  const out: HaSample[] = [];
  for (const s of claims) {
    // The latest term seen before this claim was sent (claims sorted by answer time: a prefix).
    const later = claims.find((o) => o.receivedAt < s.sentAt && o.node !== s.node && o.activeTime > s.activeTime);
    if (later) out.push(s);
  }
  return out;
}

export function checkStaleClaims(h: History, stale: HaSample[]): Violation[] {
  const out: Violation[] = [];
  for (const f of h.ha?.faults ?? []) {
    if (f.kind !== 'partition-active' || f.restoredAt === undefined) continue;
    const during = stale.filter((s) => s.node === f.node && s.sentAt >= f.startedAt && s.receivedAt <= f.restoredAt!);
    if (during.length) {
      out.push({
        invariant: 'stale-active',
        message: `fault ${f.n}: ${f.node}, cut off from etcd, still said it was the active (term ${termOf(during[0])}) at +${during[0].sentAt}, after a later term had been seen (${during.length} answers)`,
      });
    }
  }
  return out;
}

export function checkRecovery(h: History, limitMs: number): { violations: Violation[]; figures: HaFaultFigures[] } {
  const faults = [...(h.ha?.faults ?? [])].sort((a, b) => a.startedAt - b.startedAt);
  const acked = h.writes.filter((w) => w.outcome === 'ok');
  const violations: Violation[] = [];
  const figures: HaFaultFigures[] = [];
  faults.forEach((f: HaFault, i) => {
    const next = faults[i + 1]?.startedAt ?? Infinity;
    const firstAck = acked.filter((w) => w.invokedAt >= f.startedAt && w.completedAt <= next).reduce<number | null>((m, w) => (m === null || w.completedAt < m ? w.completedAt : m), null);
    const recoveryMs = f.recoveredAt !== undefined && f.restoredAt !== undefined ? f.recoveredAt - f.restoredAt : null;
    const drFollowMs = f.drStreamingAt !== undefined && f.recoveredAt !== undefined ? f.drStreamingAt - f.recoveredAt : null;
    figures.push({ n: f.n, kind: f.kind, node: f.node, activeAfter: f.activeAfter ?? null, rtoMs: firstAck === null ? null : firstAck - f.startedAt, recoveryMs, drFollowMs });
    if (f.restoredAt === undefined) return; // the driver's own error says why
    if (recoveryMs === null || recoveryMs > limitMs) {
      violations.push({ invariant: 'recovery', message: `fault ${f.n} (${f.kind} of ${f.node}): ${recoveryMs === null ? 'the nodes never agreed on one active with it serving again' : `one agreed active only ${recoveryMs} ms after it was given back`} (limit ${limitMs} ms)` });
    }
    if (firstAck === null) violations.push({ invariant: 'liveness', message: `fault ${f.n} (${f.kind} of ${f.node}, +${f.startedAt}): no write sent after it began was acknowledged before the next fault (+${next})` });
  });
  return { violations, figures };
}

/** Every node's merkle root (and applied seq) equal at the end. */
export function checkRoots(h: History): Violation[] {
  const roots = h.ha?.roots ?? [];
  if (!roots.length) return [{ invariant: 'convergence', message: 'no merkle roots were read at the end' }];
  const same = roots.every((r) => r.root && r.root === roots[0].root && r.applied === roots[0].applied);
  return same ? [] : [{ invariant: 'convergence', message: `the HA nodes' merkle roots differ at the end: ${roots.map((r) => `${r.node} ${r.root || '(no answer)'} @${r.applied}`).join(', ')}` }];
}

export function checkHa(h: History, opts: HaCheckOptions = {}): HaVerdict {
  const terms = attribute(h);
  const lw = checkLostWrites(h, new Set());
  const rec = checkRecovery(h, opts.recoveryLimitMs ?? DEFAULT_RECOVERY_LIMIT_MS);
  const stale = staleClaims(h.ha?.samples ?? []);
  const violations = [
    ...h.driverErrors.map((message) => ({ invariant: 'driver', message })),
    ...lw.violations,
    ...checkReads(h),
    ...checkTwoActives(terms),
    ...checkFencing(h, terms),
    ...checkStaleClaims(h, stale),
    ...rec.violations,
    ...checkRoots(h),
    ...checkDrFollows(h, opts.drFollowLimitMs ?? DEFAULT_DR_FOLLOW_LIMIT_MS),
    ...checkConvergence(h.convergence, opts.convergeLimitMs ?? DEFAULT_CONVERGE_LIMIT_MS),
  ];
  const count = (o: string) => h.writes.filter((w) => w.outcome === o).length;
  return {
    violations,
    figures: {
      writes: { acked: count('ok'), failed: count('fail'), unknown: count('unknown') },
      lost: lw.lost,
      attributed: [...terms.values()].reduce((n, ws) => n + ws.length, 0),
      terms: terms.size,
      staleClaims: stale.length,
      faults: rec.figures,
    },
  };
}

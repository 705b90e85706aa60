import type { Failover, History, WriteOp } from './history';

// Acknowledged writes: none lost, none corrupted, and across each DR failover
// the writes missing on the promoted side form a suffix of what the old side
// acknowledged (its RPO), never a hole.
//
// "Never lost" is defined against the failovers: a write is EXCUSED when a
// failover promoted a node that did not have it (it is that failover's RPO,
// measured and reported, not a loss). Every other acknowledged write must be
// on every cluster at the end, with its value.

export interface Violation {
  invariant: string;
  message: string;
}

export interface FailoverFigures {
  n: number;
  oldPrimary: string;
  newPrimary: string;
  /** Writes acknowledged before the promotion that the promoted side never had (replication lag lost). */
  rpoWrites: number;
  /** The time those lost writes span: from sending the first to the acknowledgement of the last; 0 when none. */
  rpoMs: number;
  /** Writes the old primary acknowledged after the promotion returned (lost too: the cost of late fencing). */
  staleAcks: number;
  /** From the promotion to the old primary's last such acknowledgement; 0 when none. */
  staleMs: number;
  /** From cutting the old primary off to the first write the new one acknowledged; null if none. */
  rtoMs: number | null;
  /** From the old primary's return to its status saying it was superseded; null if it never did (while watched). */
  fencedAfterMs: number | null;
}

const show = (w: WriteOp) => `${w.key} (acked by ${w.primary}${w.forwarded ? ` via ${w.via}` : ''} at +${w.completedAt})`;
/** Math.max without spreading (histories hold 100k writes: too many arguments for a call). */
const maxOf = (xs: number[], empty: number) => xs.reduce((a, b) => (b > a ? b : a), empty);
const firstFew = (ws: WriteOp[], n = 5) => ws.slice(0, n).map(show).join(', ') + (ws.length > n ? `, … ${ws.length - n} more` : '');

/** The writes a failover's promoted node should hold: every acknowledged write not excused earlier, up to the promotion, plus the old primary's late acks. */
function subjectOf(f: Failover, acked: WriteOp[], excused: Set<string>): WriteOp[] {
  return acked.filter(
    (w) => !excused.has(w.key) && (w.completedAt <= f.promotedAt || (w.primary === f.oldPrimary && w.invokedAt < (f.demotedAt ?? Infinity))),
  );
}

export function checkFailovers(h: History): { violations: Violation[]; figures: FailoverFigures[]; excused: Set<string> } {
  const acked = h.writes.filter((w) => w.outcome === 'ok');
  const excused = new Set<string>();
  const violations: Violation[] = [];
  const figures: FailoverFigures[] = [];
  for (const f of [...h.failovers].sort((a, b) => a.promotedAt - b.promotedAt)) {
    const present = new Set(f.presentOnPromoted);
    const subject = subjectOf(f, acked, excused);
    const missing = subject.filter((w) => !present.has(w.key)).sort((a, b) => a.completedAt - b.completedAt);
    const kept = subject.filter((w) => present.has(w.key));
    // A hole: a write acknowledged before another was even sent, yet only the later one made it across.
    const latestKeptInvoke = maxOf(kept.map((w) => w.invokedAt), -Infinity);
    const holes = missing.filter((w) => w.completedAt < latestKeptInvoke);
    if (holes.length) {
      const later = kept.reduce((a, b) => (b.invokedAt > a.invokedAt ? b : a));
      violations.push({
        invariant: 'rpo-suffix',
        message: `failover ${f.n} (${f.oldPrimary} → ${f.newPrimary}): ${holes.length} acknowledged writes are missing on the promoted side although a later write (${show(later)}, sent at +${later.invokedAt}) is there: ${firstFew(holes)}`,
      });
    }
    const lagLost = missing.filter((w) => w.completedAt <= f.promotedAt);
    const stale = missing.filter((w) => w.completedAt > f.promotedAt);
    // Not measured from the last write kept: a kept write may be answered late (a forwarded write waits for read-your-writes).
    const rpoMs = lagLost.length ? lagLost[lagLost.length - 1].completedAt - lagLost.reduce((m, w) => Math.min(m, w.invokedAt), Infinity) : 0;
    const firstAck = acked
      .filter((w) => w.primary === f.newPrimary && w.invokedAt >= f.promotedAt)
      .reduce<number | null>((min, w) => (min === null || w.completedAt < min ? w.completedAt : min), null);
    if (firstAck === null) violations.push({ invariant: 'rto', message: `failover ${f.n}: the new primary ${f.newPrimary} never acknowledged a write` });
    figures.push({
      n: f.n,
      oldPrimary: f.oldPrimary,
      newPrimary: f.newPrimary,
      rpoWrites: lagLost.length,
      rpoMs,
      staleAcks: stale.length,
      staleMs: stale.length ? stale[stale.length - 1].completedAt - f.promotedAt : 0,
      rtoMs: firstAck === null ? null : firstAck - f.startedAt,
      fencedAfterMs: f.fencedAt !== undefined && f.returnedAt !== undefined ? f.fencedAt - f.returnedAt : null,
    });
    for (const w of missing) excused.add(w.key);
  }
  return { violations, figures, excused };
}

/** Every acknowledged, unexcused write is on every node read back at the end, with its own value. */
export function checkLostWrites(h: History, excused: Set<string>): { violations: Violation[]; lost: number } {
  const expected = h.writes.filter((w) => w.outcome === 'ok' && !excused.has(w.key));
  const violations: Violation[] = [];
  const lostKeys = new Set<string>();
  for (const rb of h.readbacks) {
    const missing = expected.filter((w) => !(w.key in rb.values));
    const wrong = expected.filter((w) => w.key in rb.values && rb.values[w.key] !== w.value);
    for (const w of missing) lostKeys.add(w.key);
    if (missing.length) violations.push({ invariant: 'lost-write', message: `${rb.node}: ${missing.length} of ${expected.length} acknowledged writes missing: ${firstFew(missing)}` });
    if (wrong.length) violations.push({ invariant: 'wrong-value', message: `${rb.node}: ${wrong.length} acknowledged writes read back with another value: ${firstFew(wrong)}` });
  }
  return { violations, lost: lostKeys.size };
}

/**
 * Reads during the run: a value that no one wrote is corruption anywhere; a 404
 * on the primary that acknowledged the write (before the read was sent, with
 * no failover in between) is a lost write caught in the act.
 */
export function checkReads(h: History): Violation[] {
  const byKey = new Map(h.writes.map((w) => [w.key, w]));
  const bad: string[] = [];
  const vanished: string[] = [];
  for (const r of h.reads) {
    const w = byKey.get(r.key);
    if (!w) continue;
    if (r.value !== null && r.value !== w.value) bad.push(`${r.key} on ${r.node}: ${JSON.stringify(r.value)}`);
    const failoverBetween = h.failovers.some((f) => f.startedAt <= r.completedAt && f.startedAt >= w.invokedAt);
    if (r.value === null && w.outcome === 'ok' && !w.forwarded && w.primary === r.node && r.invokedAt > w.completedAt && !failoverBetween)
      vanished.push(`${r.key} on ${r.node} (acked at +${w.completedAt}, read at +${r.invokedAt})`);
  }
  const out: Violation[] = [];
  if (bad.length) out.push({ invariant: 'wrong-value', message: `${bad.length} reads returned a value never written: ${bad.slice(0, 5).join(', ')}` });
  if (vanished.length) out.push({ invariant: 'lost-write', message: `${vanished.length} acknowledged writes read back as 404 on their own primary: ${vanished.slice(0, 5).join(', ')}` });
  return out;
}

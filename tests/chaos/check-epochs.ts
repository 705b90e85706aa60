import type { Violation } from './check-writes';
import type { History, Mode, NodeName, StatusSample, WriteOp } from './history';

// Fencing, seen from the clients: no two nodes acknowledge writes as primary
// of the same replication set in the same epoch, and a primary whose own
// status says it was superseded acknowledges nothing sent after that.
//
// A write's epoch is read off the status samples of the node that acked it:
// the last sample answered before the write was sent and the first sample
// sent after it completed must both show that node as primary in the same
// epoch. A write the samples do not pin down (an epoch change around it, no
// sample yet) is left out rather than guessed.

function samplesByNode(samples: StatusSample[]): Map<NodeName, StatusSample[]> {
  const out = new Map<NodeName, StatusSample[]>();
  for (const s of samples) {
    if (!out.has(s.node)) out.set(s.node, []);
    out.get(s.node)!.push(s);
  }
  for (const list of out.values()) list.sort((a, b) => a.sentAt - b.sentAt);
  return out;
}

/** First index in [0, n] for which pred holds (pred false…false true…true). */
function firstWhere(n: number, pred: (i: number) => boolean): number {
  let [lo, hi] = [0, n];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pred(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The last sample of a node answered before `t` (samples of one node are taken one at a time, so both times ascend). */
export function lastAnsweredBefore(samples: StatusSample[], t: number): StatusSample | undefined {
  return samples[firstWhere(samples.length, (i) => samples[i].receivedAt > t) - 1];
}

/** The epoch in which a node was primary of `mode` throughout [from, to], or undefined when its samples cannot tell. */
export function epochDuring(samples: StatusSample[], mode: Mode, from: number, to: number): number | undefined {
  const b = firstWhere(samples.length, (i) => samples[i].receivedAt > from) - 1;
  const a = firstWhere(samples.length, (i) => samples[i].sentAt >= to);
  if (b < 0 || a >= samples.length) return undefined;
  const epoch = samples[b].modes[mode].epoch;
  // Every sample from before to after (any in between too) shows it primary in that one epoch.
  for (let i = b; i <= a; i++) if (samples[i].modes[mode].mode !== 'primary' || samples[i].modes[mode].epoch !== epoch) return undefined;
  return epoch;
}

export function checkEpochs(h: History, mode: Mode = 'dr'): { violations: Violation[]; attributed: number } {
  const byNode = samplesByNode(h.samples);
  const ackersOf = new Map<number, Map<NodeName, WriteOp>>();
  let attributed = 0;
  for (const w of h.writes) {
    if (w.outcome !== 'ok' || w.forwarded) continue;
    const e = epochDuring(byNode.get(w.primary) ?? [], mode, w.invokedAt, w.completedAt);
    if (e === undefined) continue;
    attributed++;
    if (!ackersOf.has(e)) ackersOf.set(e, new Map());
    const m = ackersOf.get(e)!;
    if (!m.has(w.primary)) m.set(w.primary, w);
  }
  const violations: Violation[] = [];
  for (const [epoch, nodes] of ackersOf) {
    if (nodes.size < 2) continue;
    const examples = [...nodes.values()].map((w) => `${w.primary} acked ${w.key} at +${w.completedAt}`).join('; ');
    violations.push({ invariant: 'two-primaries', message: `${mode} epoch ${epoch}: ${nodes.size} nodes acknowledged writes as primary (${examples})` });
  }
  return { violations, attributed };
}

/** A direct write sent to a node after that node's own status said it had been superseded (and still primary). */
export function checkAcksAfterSuperseded(h: History): Violation[] {
  const byNode = samplesByNode(h.samples);
  const late: WriteOp[] = [];
  for (const w of h.writes) {
    if (w.outcome !== 'ok' || w.forwarded) continue;
    const last = lastAnsweredBefore(byNode.get(w.primary) ?? [], w.invokedAt - 1);
    if (!last) continue;
    if ((['dr', 'performance'] as Mode[]).some((m) => last.modes[m].mode === 'primary' && last.modes[m].supersededBy)) late.push(w);
  }
  if (!late.length) return [];
  const first = late[0];
  return [
    {
      invariant: 'fencing',
      message: `${late.length} writes acknowledged by a primary whose status already said it was superseded (first: ${first.key} by ${first.primary}, sent at +${first.invokedAt})`,
    },
  ];
}

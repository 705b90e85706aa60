import type { Verdict } from './checker';
import type { History } from './history';

// The run's report as lines of text: the seed (to replay the plan), the
// faults, the writes, losses, RPO/RTO per failover, convergence, and every
// violation with its invariant.
export function report(h: History, v: Verdict, rerun: string): string[] {
  const f = v.figures;
  const lines = [
    `seed ${h.seed}   (rerun: ${rerun})`,
    `faults injected: ${f.faults}  (${Object.entries(countBy(h.faults.map((x) => x.kind))).map(([k, n]) => `${k} ${n}`).join(', ')})`,
    `writes: ${f.writes.acked} acknowledged (${f.writes.forwarded} forwarded through the performance secondary), ${f.writes.failed} refused, ${f.writes.unknown} unanswered; reads: ${f.reads}`,
    `lost acknowledged writes: ${f.lost}`,
    `epoch check: ${f.epochAttributed} acknowledged writes pinned to an epoch; status samples: ${h.samples.length}; silences checked: ${h.silences.length}`,
  ];
  for (const fo of f.failovers) {
    lines.push(
      `failover ${fo.n}: ${fo.oldPrimary} → ${fo.newPrimary}: RPO ${fo.rpoWrites} writes / ${fo.rpoMs} ms, RTO ${fo.rtoMs === null ? 'none' : `${fo.rtoMs} ms`}; ` +
        `${fo.staleAcks} writes acknowledged by the old primary after the promotion${fo.staleAcks ? ` (for ${fo.staleMs} ms)` : ''}; ` +
        `old primary ${fo.fencedAfterMs === null ? 'never reported itself superseded' : `reported itself superseded ${fo.fencedAfterMs} ms after it returned`}`,
    );
  }
  if (!f.failovers.length) lines.push('failovers: none');
  const conv = (after: (a: string) => boolean) =>
    f.convergence.filter((c) => after(c.after)).map((c) => `${c.mode} ${c.primary}→${c.secondary} ${c.ms === null ? 'NEVER' : `${c.ms} ms`}`);
  const afterFailBack = conv((a) => a !== 'heal');
  if (afterFailBack.length) lines.push(`convergence right after each fail-back (writes paused): ${afterFailBack.join(', ')}`);
  lines.push(`convergence after heal: ${conv((a) => a === 'heal').join(', ') || 'no pairs'}`);
  lines.push(v.violations.length ? `VIOLATIONS: ${v.violations.length}` : 'violations: none');
  for (const x of v.violations) lines.push(`  [${x.invariant}] ${x.message}`);
  return lines;
}

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

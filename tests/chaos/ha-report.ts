import type { HaVerdict } from './check-ha';
import type { History } from './history';

// An HA run's report as lines of text: the seed (to replay the plan), the
// writes, each fault with the clients' failover time and the recovery time,
// the roots at the end, and every violation with its invariant.
export function haReport(h: History, v: HaVerdict, rerun: string): string[] {
  const f = v.figures;
  const lines = [
    `seed ${h.seed}   (rerun: ${rerun})`,
    `writes: ${f.writes.acked} acknowledged (${h.writes.filter((w) => w.forwarded).length} with the standby's "not here yet" warning), ${f.writes.failed} refused, ${f.writes.unknown} unanswered; read back at once where answered: ${h.reads.length}; lost acknowledged writes: ${f.lost}`,
    `two-actives check: ${f.attributed} acknowledged writes tied to ${f.terms} terms of office; sys/leader samples: ${h.ha?.samples.length ?? 0}, ${f.staleClaims} claiming a term after a later one was seen`,
  ];
  for (const x of f.faults) {
    lines.push(
      `fault ${x.n} ${x.kind} of ${x.node}: first write acknowledged ${x.rtoMs === null ? 'NEVER' : `${x.rtoMs} ms`} after it began; ` +
        `one agreed active (${x.activeAfter ?? 'none'}) ${x.recoveryMs === null ? 'NEVER' : `${x.recoveryMs} ms`} after the node was given back` +
        (h.ha?.dr ? `; DR secondary streaming again ${x.drFollowMs === null ? 'NEVER' : `${x.drFollowMs} ms`} after that` : ''),
    );
  }
  const roots = h.ha?.roots ?? [];
  lines.push(`merkle roots at the end: ${roots.map((r) => `${r.node} ${r.root.slice(0, 12) || '-'} @${r.applied}`).join(', ') || 'not read'}`);
  if (h.ha?.dr) lines.push(`DR secondary: root ${h.ha.dr.root.slice(0, 12) || '-'}, merkle syncs after set-up: ${h.ha.dr.merkleSyncs}, status samples: ${h.ha.dr.samples.length}`);
  lines.push(`roots agreed after heal: ${h.convergence.map((c) => `${c.secondary} ${c.ms === null ? 'NEVER' : `${c.ms} ms`}`).join(', ') || 'not measured'}`);
  lines.push(v.violations.length ? `VIOLATIONS: ${v.violations.length}` : 'violations: none');
  for (const x of v.violations) lines.push(`  [${x.invariant}] ${x.message}`);
  return lines;
}

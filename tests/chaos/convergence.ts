import type { ClusterDriver } from './cluster-driver';
import type { Convergence, Mode, NodeName } from './history';
import { sleep } from './http';

// How long the merkle roots take to agree once nothing is being written: the
// primary's with each DR secondary's (DR root) and with its performance
// secondary's (performance root). Measured after the heal at the end, and
// right after each fail-back (a re-joined old primary must shed what it
// acknowledged alone, or it never agrees).
const POLL_MS = 100;

function pairs(d: ClusterDriver): { mode: Mode; secondary: NodeName }[] {
  return [
    ...d.drSecondaries.map((s) => ({ mode: 'dr' as Mode, secondary: s })),
    ...(d.perfSecondary && d.perfPrimary === d.primary ? [{ mode: 'performance' as Mode, secondary: d.perfSecondary }] : []),
  ];
}

/** Poll every pair until all agree or `waitMs` passes; each pair's time is when it first agreed. */
export async function measureConvergence(d: ClusterDriver, clock: () => number, after: string, waitMs: number): Promise<Convergence[]> {
  const since = clock();
  const out: Convergence[] = pairs(d).map((p) => ({ after, ...p, primary: d.primary, ms: null }));
  while (clock() - since < waitMs && out.some((c) => c.ms === null)) {
    await Promise.all(
      out
        .filter((c) => c.ms === null)
        .map(async (c) => {
          try {
            const [p, s] = await Promise.all([d.status(c.primary, c.mode), d.status(c.secondary, c.mode)]);
            if (p.merkle_root && p.merkle_root === s.merkle_root) c.ms = clock() - since;
          } catch {
            /* not answering yet */
          }
        }),
    );
    await sleep(POLL_MS);
  }
  return out;
}

import { checkAcksAfterSuperseded, checkEpochs } from './check-epochs';
import { checkConvergence, checkLiveness, DEFAULT_CONVERGE_LIMIT_MS, DEFAULT_LIVENESS_SLACK_MS } from './check-liveness';
import { checkFailovers, checkLostWrites, checkReads, type FailoverFigures, type Violation } from './check-writes';
import type { Convergence, History } from './history';

// The verdict on one run: every invariant over the recorded history, and the
// figures the report prints. Pure: the history in, the verdict out.
export type { Violation } from './check-writes';

export interface CheckOptions {
  convergeLimitMs?: number;
  livenessSlackMs?: number;
}

export interface Verdict {
  violations: Violation[];
  figures: {
    faults: number;
    writes: { acked: number; failed: number; unknown: number; forwarded: number };
    reads: number;
    lost: number;
    /** Acknowledged writes whose epoch the samples pinned down (the base of the two-primaries check). */
    epochAttributed: number;
    failovers: FailoverFigures[];
    convergence: Convergence[];
  };
}

export function check(h: History, opts: CheckOptions = {}): Verdict {
  const fo = checkFailovers(h);
  const lw = checkLostWrites(h, fo.excused);
  // Both sets: the DR set's epoch moves with each promotion, the performance set's with each take-over.
  const ep = checkEpochs(h, 'dr');
  const epPerf = checkEpochs(h, 'performance');
  const violations = [
    ...h.driverErrors.map((message) => ({ invariant: 'driver', message })),
    ...lw.violations,
    ...checkReads(h),
    ...fo.violations,
    ...ep.violations,
    ...epPerf.violations,
    ...checkAcksAfterSuperseded(h),
    ...checkLiveness(h, opts.livenessSlackMs ?? DEFAULT_LIVENESS_SLACK_MS),
    ...checkConvergence(h.convergence, opts.convergeLimitMs ?? DEFAULT_CONVERGE_LIMIT_MS),
  ];
  const count = (o: string) => h.writes.filter((w) => w.outcome === o).length;
  return {
    violations,
    figures: {
      faults: h.faults.length,
      writes: { acked: count('ok'), failed: count('fail'), unknown: count('unknown'), forwarded: h.writes.filter((w) => w.forwarded && w.outcome === 'ok').length },
      reads: h.reads.length,
      lost: lw.lost,
      epochAttributed: ep.attributed,
      failovers: fo.figures,
      convergence: h.convergence,
    },
  };
}

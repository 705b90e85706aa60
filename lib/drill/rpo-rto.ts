import type { CanaryAck, RpoResult, RtoResult } from './types';

// RPO and RTO from the canary log, as pure functions (the drill's figures are
// only as honest as this arithmetic, so it has property tests beside it).
//  RPO: canaries the old primary acknowledged that the new primary lacks;
//       its window is how old the oldest lost write was at the disaster.
//  RTO: disaster → the first canary the new primary acknowledged.

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function computeRpo(
  acks: readonly CanaryAck[],
  presentOnNew: ReadonlySet<number>,
  disasterAt: number | null,
  targetMs: number,
  lag: { wals: number | null; ms: number | null } = { wals: null, ms: null },
): RpoResult {
  const lost = acks.filter((a) => a.by === 'old' && !presentOnNew.has(a.seq)).sort((a, b) => a.at - b.at || a.seq - b.seq);
  const first = lost.length ? lost[0].at : null;
  const last = lost.length ? lost[lost.length - 1].at : null;
  const windowMs = first === null ? 0 : Math.max(0, (disasterAt ?? last!) - first);
  return {
    lost: lost.length,
    lostSeqs: lost.map((a) => a.seq).sort((a, b) => a - b),
    firstLostAt: iso(first),
    lastLostAt: iso(last),
    windowMs,
    targetMs,
    // A zero target tolerates no loss at all, however recent.
    met: lost.length === 0 || (targetMs > 0 && windowMs <= targetMs),
    lagAtDisasterWals: lag.wals,
    lagAtDisasterMs: lag.ms,
  };
}

export function computeRto(acks: readonly CanaryAck[], disasterAt: number | null, targetMs: number): RtoResult {
  let firstNew: number | null = null;
  if (disasterAt !== null) for (const a of acks) if (a.by === 'new' && a.at >= disasterAt && (firstNew === null || a.at < firstNew)) firstNew = a.at;
  const ms = disasterAt !== null && firstNew !== null ? firstNew - disasterAt : null;
  return { disasterAt: iso(disasterAt), firstNewAckAt: iso(firstNew), ms, targetMs, met: ms !== null && ms <= targetMs };
}

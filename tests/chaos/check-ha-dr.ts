import { DEFAULT_LIVENESS_SLACK_MS, LINK_TIMEOUT_MS } from './check-liveness';
import type { Violation } from './check-writes';
import type { History } from './history';

// The DR secondary that follows an HA cluster (issue 9 item 5), judged from
// the history:
// - dr-follow: after each fault, once the HA nodes agree on an active, the
//   secondary streams new records again within the limit — from whichever
//   node is active now, without an operator re-pointing it;
// - merkle-sync: it never needs one after set-up (the new active has every
//   record the old one shipped: shipping waits for etcd's commit);
// - liveness: while the node it streams from is killed or frozen, its status
//   stops calling that link healthy within the link timeout;
// - its merkle root equals the HA cluster's at the end (checked with the
//   convergence entries the harness records).
/** From one agreed active to the secondary streaming new records: a reconnect and a few heartbeats on a loaded box. */
export const DEFAULT_DR_FOLLOW_LIMIT_MS = 30_000;

export function checkDrFollows(h: History, limitMs = DEFAULT_DR_FOLLOW_LIMIT_MS, slackMs = DEFAULT_LIVENESS_SLACK_MS): Violation[] {
  const dr = h.ha?.dr;
  if (!dr) return [];
  const out: Violation[] = [];
  for (const f of h.ha!.faults) {
    if (f.recoveredAt === undefined) continue; // the recovery check names it
    const took = f.drStreamingAt === undefined ? null : f.drStreamingAt - f.recoveredAt;
    if (took === null || took > limitMs) {
      out.push({
        invariant: 'dr-follow',
        message: `fault ${f.n} (${f.kind} of ${f.node}): the DR secondary ${took === null ? 'never streamed new records again' : `streamed new records again only ${took} ms`} after the HA cluster agreed on ${f.activeAfter} (limit ${limitMs} ms)`,
      });
    }
    if ((f.kind === 'kill-active' || f.kind === 'freeze-active') && f.restoredAt !== undefined) {
      const from = f.startedAt + LINK_TIMEOUT_MS + slackMs;
      const lie = dr.samples.find((s) => s.peer === f.node && s.ready && s.sentAt >= from && s.receivedAt <= f.restoredAt!);
      if (lie) {
        out.push({
          invariant: 'liveness',
          message: `fault ${f.n}: the DR secondary called its link to ${f.node} ready at +${lie.sentAt}, ${lie.sentAt - f.startedAt} ms after ${f.node} was ${f.kind === 'kill-active' ? 'killed' : 'frozen'} (link timeout ${LINK_TIMEOUT_MS} ms)`,
        });
      }
    }
  }
  if (dr.merkleSyncs > 0) out.push({ invariant: 'merkle-sync', message: `the DR secondary ran ${dr.merkleSyncs} merkle syncs after set-up: a failover of the primary cluster's active should resume streaming from the same position` });
  const haRoot = h.ha!.roots[0]?.root;
  if (!dr.root || dr.root !== haRoot) out.push({ invariant: 'convergence', message: `the DR secondary's merkle root ${dr.root || '(no answer)'} differs from the HA cluster's ${haRoot || '(none)'} at the end` });
  return out;
}

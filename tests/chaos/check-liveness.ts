import type { Violation } from './check-writes';
import type { Convergence, History, Mode } from './history';

// Liveness of the links and convergence after heal.
//
// A link is dead after three missed heartbeats (issue 8 item 5). A status
// sent later than that, plus slack for a loaded machine, that still calls a
// link to a silent peer healthy (`connection_state: ready` on a secondary,
// `connection_status: connected` on a primary) is a lie the operator would
// act on.
export const HEARTBEAT_MS = 1_000;
export const LINK_TIMEOUT_MS = 3 * HEARTBEAT_MS;
export const DEFAULT_LIVENESS_SLACK_MS = 2_500;
/** Merkle roots must agree this soon after everything is healed (issue 8). */
export const DEFAULT_CONVERGE_LIMIT_MS = 5_000;

const MODES: Mode[] = ['dr', 'performance'];

export function checkLiveness(h: History, slackMs = DEFAULT_LIVENESS_SLACK_MS): Violation[] {
  const out: Violation[] = [];
  for (const sil of h.silences) {
    const from = sil.from + LINK_TIMEOUT_MS + slackMs;
    if (from >= sil.to) continue;
    const reported = new Set<string>();
    for (const s of h.samples) {
      if (s.node === sil.peer || (sil.observer && s.node !== sil.observer)) continue;
      if (s.sentAt < from || s.receivedAt > sil.to) continue;
      for (const m of sil.mode ? [sil.mode] : MODES) {
        if (!s.modes[m].links.some((l) => l.peer === sil.peer && l.healthy)) continue;
        const id = `${s.node}/${m}`;
        if (reported.has(id)) continue;
        reported.add(id);
        out.push({
          invariant: 'liveness',
          message: `${s.node} (${m}) reported a healthy link to ${sil.peer} at +${s.sentAt}, ${s.sentAt - sil.from} ms into its silence (${sil.cause}, +${sil.from}…+${sil.to}); the timeout is ${LINK_TIMEOUT_MS} ms`,
        });
      }
    }
  }
  return out;
}

/**
 * After heal the roots must agree within the limit. After a fail-back (a
 * re-joined old primary may have to merkle-sync everything, on a loaded box)
 * only never agreeing is a violation; the time is reported.
 */
export function checkConvergence(list: Convergence[], limitMs = DEFAULT_CONVERGE_LIMIT_MS): Violation[] {
  return list
    .filter((c) => c.ms === null || (c.after === 'heal' && c.ms > limitMs))
    .map((c) => ({
      invariant: 'convergence',
      message: `${c.mode}: ${c.secondary}'s merkle root ${c.ms === null ? 'never matched' : `took ${c.ms} ms to match`} ${c.primary}'s after ${c.after}${c.after === 'heal' ? ` (limit ${limitMs} ms)` : ''}`,
    }));
}

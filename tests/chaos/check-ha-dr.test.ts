import { describe, expect, it } from 'vitest';
import { checkDrFollows } from './check-ha-dr';
import { emptyHaRecord, type HaDrSample, type HaFault } from './ha-history';
import { emptyHistory, type History } from './history';

// Hand-built histories of a DR secondary following an HA cluster: each
// breaks one of check-ha-dr.ts's invariants, and the checker must name it.

const drSample = (at: number, peer: string, ready: boolean, wal: number): HaDrSample => ({ sentAt: at, receivedAt: at + 3, state: ready ? 'stream-wals' : 'connecting', ready, peer, lastRemoteWal: wal });

/** a1 killed at 1 000, back at 9 000, a2 agreed active at 9 100; the secondary drops the link at 2 000 and streams from a2 at 9 500. */
function clean(): History {
  const h = emptyHistory(1);
  h.ha = emptyHaRecord(['a1', 'a2', 'a3']);
  const fault: HaFault = { n: 1, kind: 'kill-active', node: 'a1', startedAt: 1_000, restoredAt: 9_000, recoveredAt: 9_100, activeAfter: 'a2', drStreamingAt: 9_500 };
  h.ha.faults = [fault];
  h.ha.roots = ['a1', 'a2', 'a3'].map((node) => ({ node, root: 'r', applied: 5 }));
  h.ha.dr = { node: 'dr', root: 'r', merkleSyncs: 0, samples: [drSample(500, 'a1', true, 10), drSample(2_000, 'a1', false, 12), drSample(9_400, 'a2', true, 13)] };
  return h;
}
const invariants = (h: History) => checkDrFollows(h).map((v) => v.invariant);

describe('HA chaos checker, DR secondary', () => {
  it('passes a secondary that drops the dead link and follows the new active', () => {
    expect(checkDrFollows(clean())).toEqual([]);
  });

  it('dr-follow: it never streamed again, or only after the limit', () => {
    const h = clean();
    delete h.ha!.faults[0].drStreamingAt;
    expect(invariants(h)).toEqual(['dr-follow']);
    const slow = clean();
    slow.ha!.faults[0].drStreamingAt = 9_100 + 31_000;
    expect(invariants(slow)).toEqual(['dr-follow']);
  });

  it('liveness: it called the link to the killed active ready past the link timeout', () => {
    const h = clean();
    h.ha!.dr!.samples.push(drSample(7_000, 'a1', true, 12));
    expect(invariants(h)).toEqual(['liveness']);
  });

  it('merkle-sync after set-up, and a root that differs from the cluster\'s', () => {
    const h = clean();
    h.ha!.dr!.merkleSyncs = 1;
    expect(invariants(h)).toEqual(['merkle-sync']);
    const r = clean();
    r.ha!.dr!.root = 'other';
    expect(invariants(r)).toEqual(['convergence']);
  });

  it('says nothing without a DR secondary', () => {
    const h = clean();
    delete h.ha!.dr;
    expect(checkDrFollows(h)).toEqual([]);
  });
});

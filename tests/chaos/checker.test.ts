import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epochDuring } from './check-epochs';
import { check } from './checker';
import { emptyHistory, type History, type LinkView, type ModeView, type StatusSample, type WriteOp } from './history';

// Hand-built histories, each breaking one invariant: the checker must name it.
// A clean history must pass with the right figures.

let seq = 0;
function write(at: number, o: Partial<WriteOp> = {}): WriteOp {
  const key = o.key ?? `k${seq++}`;
  return { key, value: `v-${key}`, client: 'w1', via: 'n1', primary: 'n1', forwarded: false, invokedAt: at, completedAt: at + 5, outcome: 'ok', ...o };
}
const view = (mode: string, epoch: number, o: Partial<ModeView> = {}): ModeView => ({ mode, epoch, links: [], ...o });
function sample(node: string, at: number, dr: ModeView, perf: ModeView = view('disabled', 0)): StatusSample {
  return { node, sentAt: at, receivedAt: at + 2, modes: { dr, performance: perf } };
}
const link = (peer: string, healthy: boolean): LinkView => ({ peer, healthy });

/** n1 primary (epoch 1) with 4 writes, everything read back on n1 and n2, converged. */
function clean(): History {
  const h = emptyHistory(1);
  h.writes = [write(10), write(20), write(30), write(40)];
  h.samples = [sample('n1', 0, view('primary', 1)), sample('n1', 100, view('primary', 1)), sample('n2', 50, view('secondary', 1, { links: [link('n1', true)] }))];
  const values = Object.fromEntries(h.writes.map((w) => [w.key, w.value]));
  h.readbacks = [{ node: 'n1', values }, { node: 'n2', values: { ...values } }];
  h.convergence = [{ after: 'heal', mode: 'dr', primary: 'n1', secondary: 'n2', ms: 300 }];
  return h;
}
const invariants = (h: History) => check(h).violations.map((v) => v.invariant);

describe('chaos checker', () => {
  it('passes a clean history and counts it', () => {
    const v = check(clean());
    expect(v.violations).toEqual([]);
    expect(v.figures.writes.acked).toBe(4);
    expect(v.figures.lost).toBe(0);
    expect(v.figures.epochAttributed).toBe(4);
  });

  it('catches an acknowledged write missing on one cluster (lost-write)', () => {
    const h = clean();
    delete h.readbacks[1].values[h.writes[2].key];
    const v = check(h);
    expect(v.violations.map((x) => x.invariant)).toEqual(['lost-write']);
    expect(v.violations[0].message).toContain(h.writes[2].key);
    expect(v.figures.lost).toBe(1);
  });

  it('does not count a write that was never acknowledged', () => {
    const h = clean();
    h.writes.push(write(50, { outcome: 'unknown' }), write(60, { outcome: 'fail' }));
    expect(invariants(h)).toEqual([]);
  });

  it('catches a write read back with another value (wrong-value)', () => {
    const h = clean();
    h.readbacks[0].values[h.writes[0].key] = 'garbage';
    expect(invariants(h)).toEqual(['wrong-value']);
  });

  it('catches an acknowledged write that reads 404 on its own primary later (lost-write)', () => {
    const h = clean();
    h.reads = [{ key: h.writes[0].key, node: 'n1', invokedAt: 200, completedAt: 203, value: null }];
    expect(invariants(h)).toEqual(['lost-write']);
    // The same 404 on a secondary is only lag.
    h.reads[0].node = 'n2';
    expect(invariants(h)).toEqual([]);
  });

  it('catches two primaries acknowledging writes in the same epoch (two-primaries)', () => {
    const h = clean();
    h.writes.push(write(60, { primary: 'n3', via: 'n3' }));
    h.samples.push(sample('n3', 0, view('primary', 1)), sample('n3', 100, view('primary', 1)));
    h.readbacks.forEach((rb) => (rb.values[h.writes[4].key] = h.writes[4].value));
    expect(invariants(h)).toEqual(['two-primaries']);
    // The same holds for the performance set's epochs.
    const perf = clean();
    perf.writes.push(write(60, { primary: 'n3', via: 'n3' }));
    for (const s of perf.samples) s.modes.performance = s.modes.dr.mode === 'primary' ? view('primary', 1) : view('secondary', 1);
    perf.samples.push(sample('n3', 0, view('primary', 2), view('primary', 1)), sample('n3', 100, view('primary', 2), view('primary', 1)));
    perf.readbacks.forEach((rb) => (rb.values[perf.writes[4].key] = perf.writes[4].value));
    expect(invariants(perf)).toEqual(['two-primaries']);
    // In a newer epoch it is a legitimate successor.
    h.samples.splice(-2, 2, sample('n3', 0, view('primary', 2)), sample('n3', 100, view('primary', 2)));
    expect(invariants(h)).toEqual([]);
  });

  it('attributes no epoch when the samples around a write disagree', () => {
    const s = [sample('n1', 0, view('primary', 1)), sample('n1', 50, view('secondary', 1)), sample('n1', 100, view('primary', 1))];
    expect(epochDuring(s, 'dr', 10, 90)).toBeUndefined();
    expect(epochDuring(s, 'dr', 60, 90)).toBeUndefined(); // no primary sample before
    expect(epochDuring([s[0], s[2]], 'dr', 10, 90)).toBe(1);
  });

  it('catches a write acknowledged after the primary reported itself superseded (fencing)', () => {
    const h = clean();
    h.samples.push(sample('n1', 35, view('primary', 1, { supersededBy: 'http://n3' })));
    expect(invariants(h)).toEqual(['fencing']); // write at 40 was sent after the sample at 35 came back
  });

  it('catches a status calling a link to a frozen peer healthy after the timeout (liveness)', () => {
    const h = clean();
    h.silences = [{ peer: 'n1', from: 1_000, to: 20_000, cause: 'SIGSTOP' }];
    h.samples.push(sample('n2', 3_000, view('secondary', 1, { links: [link('n1', true)] }))); // within the timeout: fine
    expect(invariants(h)).toEqual([]);
    h.samples.push(sample('n2', 9_000, view('secondary', 1, { links: [link('n1', true)] })));
    h.samples.push(sample('n2', 9_500, view('secondary', 1, { links: [link('n1', true)] })));
    expect(invariants(h)).toEqual(['liveness']); // reported once per observer and mode
    // A silence of another mode's link only does not implicate this one.
    h.silences[0].mode = 'performance';
    expect(invariants(h)).toEqual([]);
  });

  it('catches merkle roots that do not converge in time (convergence)', () => {
    const h = clean();
    h.convergence.push({ after: 'heal', mode: 'performance', primary: 'n1', secondary: 'n3', ms: 7_000 }, { after: 'heal', mode: 'dr', primary: 'n1', secondary: 'n4', ms: null });
    expect(invariants(h)).toEqual(['convergence', 'convergence']);
    // After a fail-back a slow merkle sync is reported, not a violation; never agreeing is.
    h.convergence.splice(1, 2, { after: 'fail-back 3', mode: 'dr', primary: 'n1', secondary: 'n4', ms: 20_000 });
    expect(invariants(h)).toEqual([]);
    h.convergence[1].ms = null;
    expect(invariants(h)).toEqual(['convergence']);
  });

  it('reports driver failures as violations', () => {
    const h = clean();
    h.driverErrors.push('update-primary of n2 failed: 400');
    expect(invariants(h)).toEqual(['driver']);
  });

  describe('DR failover', () => {
    /** n1 acked w0..w5 (one every 10 ms), n3 promoted at 100 having w0..w(k-1); n3 then acks one write. */
    function failover(k: number, o: { stale?: boolean } = {}): History {
      const h = emptyHistory(2);
      h.writes = Array.from({ length: 6 }, (_, i) => write(i * 10));
      if (o.stale) h.writes.push(write(150, { key: 'stale' })); // the old primary still acking after the promotion
      h.writes.push(write(300, { key: 'after', primary: 'n3', via: 'n3' }));
      const old = h.writes.filter((w) => w.primary === 'n1');
      h.failovers = [{ n: 1, oldPrimary: 'n1', newPrimary: 'n3', oldEpoch: 1, newEpoch: 2, startedAt: 60, promotedAt: 100, demotedAt: 200, presentOnPromoted: old.slice(0, k).map((w) => w.key) }];
      const kept = Object.fromEntries([...old.slice(0, k), h.writes[h.writes.length - 1]].map((w) => [w.key, w.value]));
      h.readbacks = [{ node: 'n3', values: kept }, { node: 'n1', values: { ...kept } }];
      return h;
    }

    it('measures RPO (count, ms) and RTO, and excuses exactly the missing suffix', () => {
      const v = check(failover(4));
      expect(v.violations).toEqual([]);
      expect(v.figures.failovers).toEqual([{ n: 1, oldPrimary: 'n1', newPrimary: 'n3', rpoWrites: 2, rpoMs: 55 - 40, staleAcks: 0, staleMs: 0, rtoMs: 305 - 60, fencedAfterMs: null }]);
      expect(v.figures.lost).toBe(0);
    });

    it('counts late acks of the old primary as RPO, not as losses', () => {
      const v = check(failover(6, { stale: true }));
      expect(v.violations).toEqual([]);
      expect(v.figures.failovers[0]).toMatchObject({ rpoWrites: 0, staleAcks: 1, staleMs: 155 - 100 });
    });

    it('catches a hole: a write missing although a later one made it (rpo-suffix)', () => {
      const h = failover(6);
      h.failovers[0].presentOnPromoted.splice(2, 1);
      const missing = h.writes[2].key;
      h.readbacks.forEach((rb) => delete rb.values[missing]);
      expect(invariants(h)).toEqual(['rpo-suffix']);
    });

    it('catches a promoted primary that never takes a write (rto)', () => {
      const h = failover(6);
      h.writes = h.writes.filter((w) => w.primary !== 'n3');
      h.readbacks.forEach((rb) => delete rb.values.after);
      expect(invariants(h)).toEqual(['rto']);
    });

    it('property: a promoted side holding any prefix of the acks passes, with RPO = the rest', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 6 }), (k) => {
          const v = check(failover(k));
          return v.violations.length === 0 && v.figures.failovers[0].rpoWrites === 6 - k;
        }),
      );
    });

    it('property: dropping any non-suffix subset of sequential acks is caught', () => {
      fc.assert(
        fc.property(fc.subarray([0, 1, 2, 3, 4, 5], { minLength: 1 }), (drop) => {
          const h = failover(6);
          const keys = h.writes.filter((w) => w.primary === 'n1').map((w) => w.key);
          h.failovers[0].presentOnPromoted = keys.filter((_, i) => !drop.includes(i));
          const isSuffix = drop.every((i) => i >= 6 - drop.length);
          for (const i of drop) h.readbacks.forEach((rb) => delete rb.values[keys[i]]);
          return invariants(h).includes('rpo-suffix') === !isSuffix;
        }),
      );
    });
  });
});

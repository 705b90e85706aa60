import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attribute, checkHa, checkTwoActives, termDuring } from './check-ha';
import { emptyHaRecord, type HaFault, type HaSample } from './ha-history';
import { emptyHistory, type History, type WriteOp } from './history';

// Hand-built HA histories, each breaking one invariant: the checker must name
// it; a clean one passes. Plus a property: terms that follow one another never
// trip the two-actives check, however the writes inside them are timed.

let seq = 0;
function write(via: string, at: number, o: Partial<WriteOp> = {}): WriteOp {
  const key = o.key ?? `k${seq++}`;
  return { key, value: `v-${key}`, client: 'w', via, primary: via, forwarded: false, invokedAt: at, completedAt: at + 5, outcome: 'ok', ...o };
}
/** node is active (term started at `since`) from `from` to `to`, sampled every 10 ms. */
function activeSamples(node: string, since: string, from: number, to: number): HaSample[] {
  const out: HaSample[] = [];
  for (let t = from; t <= to; t += 10) out.push({ node, sentAt: t, receivedAt: t + 2, isSelf: true, activeTime: since, leader: node, committed: 0, applied: 0 });
  return out;
}
const standby = (node: string, leader: string, at: number): HaSample => ({ node, sentAt: at, receivedAt: at + 2, isSelf: false, activeTime: '', leader, committed: 0, applied: 0 });

/** a1 active until 100, a2 from 120 (a kill of a1), writes on each in its term, read back everywhere, converged. */
function clean(): History {
  const h = emptyHistory(1);
  h.ha = emptyHaRecord(['a1', 'a2', 'a3']);
  h.ha.samples = [...activeSamples('a1', 't1', 0, 100), ...activeSamples('a2', 't2', 120, 300), standby('a3', 'a1', 50), standby('a3', 'a2', 200)];
  h.writes = [write('a1', 20), write('a1', 50), write('a3', 60), write('a2', 150), write('a2', 200)];
  const fault: HaFault = { n: 1, kind: 'kill-active', node: 'a1', startedAt: 100, restoredAt: 250, recoveredAt: 260, activeAfter: 'a2' };
  h.ha.faults = [fault];
  const values = Object.fromEntries(h.writes.map((w) => [w.key, w.value]));
  h.readbacks = ['a1', 'a2', 'a3'].map((node) => ({ node, values: { ...values } }));
  h.ha.roots = ['a1', 'a2', 'a3'].map((node) => ({ node, root: 'r', applied: 9 }));
  h.convergence = [{ after: 'heal', mode: 'dr', primary: 'a2', secondary: 'a1', ms: 30 }];
  return h;
}
const invariants = (h: History) => checkHa(h).violations.map((v) => v.invariant);

describe('HA chaos checker', () => {
  it('passes a clean history, ties writes to their terms, and times the failover', () => {
    const v = checkHa(clean());
    expect(v.violations).toEqual([]);
    expect(v.figures.writes.acked).toBe(5);
    expect(v.figures.attributed).toBe(4); // the write through the standby a3 belongs to no term it can name
    expect(v.figures.terms).toBe(2);
    expect(v.figures.faults[0]).toMatchObject({ rtoMs: 55, recoveryMs: 10, activeAfter: 'a2' });
  });

  it('two-actives: a1 acknowledges a write sent after a2 acknowledged one, while a2 had acknowledged after a1', () => {
    const h = clean();
    h.ha!.samples.push(...activeSamples('a1', 't1', 110, 300)); // a1 still says active in its old term
    h.writes.push(write('a1', 230));
    for (const rb of h.readbacks) rb.values[h.writes[5].key] = h.writes[5].value;
    expect(invariants(h)).toEqual(['two-actives']);
  });

  it('fencing: writes a node acknowledged while cut off from etcd, or after its lease ran out in a long freeze', () => {
    const h = clean();
    h.ha!.faults = [{ n: 1, kind: 'partition-active', node: 'a1', startedAt: 40, restoredAt: 45_000, recoveredAt: 45_010, activeAfter: 'a2' }];
    // a1's write at 50 was sent and answered while it was cut off (it still says active: the check sees a1's term).
    expect(invariants(h)).toContain('fencing');
    const f = clean();
    f.ha!.samples.push(...activeSamples('a1', 't1', 5_000, 5_300));
    f.writes.push(write('a1', 5_100));
    f.ha!.faults = [{ n: 1, kind: 'freeze-active', node: 'a1', startedAt: 100, restoredAt: 5_000, recoveredAt: 5_010, activeAfter: 'a2' }];
    for (const rb of f.readbacks) rb.values[f.writes[5].key] = f.writes[5].value;
    expect(invariants(f)).toContain('fencing');
  });

  it('stale-active: a node cut off from etcd still says active after a later term was seen', () => {
    const h = clean();
    h.ha!.faults = [{ n: 1, kind: 'partition-active', node: 'a1', startedAt: 100, restoredAt: 400, recoveredAt: 410, activeAfter: 'a2' }];
    const v = checkHa(h);
    expect(v.violations).toEqual([]);
    h.ha!.samples.push(...activeSamples('a1', 't1', 200, 210)); // a2's term (t2 > t1) was seen at 122
    expect(invariants(h)).toEqual(['stale-active']);
    expect(checkHa(h).figures.staleClaims).toBe(2);
  });

  it('recovery and liveness: no agreed active after a fault, and no write acknowledged after it', () => {
    const h = clean();
    delete h.ha!.faults[0].recoveredAt;
    expect(invariants(h)).toEqual(['recovery']);
    const l = clean();
    l.writes = l.writes.filter((w) => w.invokedAt < 100);
    for (const rb of l.readbacks) rb.values = Object.fromEntries(l.writes.map((w) => [w.key, w.value]));
    expect(invariants(l)).toEqual(['liveness']);
  });

  it('read-your-writes: a write read back as 404 on the node that answered it, unless the answer warned it was not there yet', () => {
    const h = clean();
    const w = h.writes[2]; // through the standby a3
    h.reads = [{ key: w.key, node: 'a3', invokedAt: w.completedAt + 1, completedAt: w.completedAt + 3, value: null }];
    expect(invariants(h)).toEqual(['lost-write']);
    w.forwarded = true; // its answer carried the standby's "not here yet" warning
    expect(invariants(h)).toEqual([]);
    h.reads.push({ key: w.key, node: 'a1', invokedAt: 300, completedAt: 301, value: 'another' });
    expect(invariants(h)).toEqual(['wrong-value']);
  });

  it('lost writes, diverged roots, and a driver error are named', () => {
    const h = clean();
    delete h.readbacks[2].values[h.writes[0].key];
    expect(invariants(h)).toEqual(['lost-write']);
    const r = clean();
    r.ha!.roots[1].root = 'other';
    expect(invariants(r)).toEqual(['convergence']);
    const d = clean();
    d.driverErrors.push('fault 1: could not restart');
    expect(invariants(d)).toEqual(['driver']);
  });

  it('ties a write to a term only when every sample around it shows the same term', () => {
    const s = [...activeSamples('a1', 't1', 0, 50), ...activeSamples('a1', 't9', 60, 100)];
    expect(termDuring(s, 20, 25)).toBe('a1@t1');
    expect(termDuring(s, 45, 65)).toBeUndefined(); // a new term began around it
    expect(termDuring(s, 200, 210)).toBeUndefined(); // no sample after it
    expect(termDuring([standby('a1', 'a2', 0), ...activeSamples('a1', 't1', 10, 50)], 5, 20)).toBeUndefined();
  });

  it('terms that follow one another never trip the two-actives check (property)', () => {
    const term = fc.array(fc.record({ at: fc.nat(1_000), dur: fc.integer({ min: 1, max: 500 }) }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fc.array(term, { minLength: 1, maxLength: 5 }), (terms) => {
        // Term i's writes are sent after every write of term i-1 was answered (etcd's log: one term after the other).
        const groups = new Map<string, WriteOp[]>();
        let base = 0;
        terms.forEach((ws, i) => {
          const list = ws.map((x) => write(`a${i % 3}`, base + x.at, { completedAt: base + x.at + x.dur }));
          groups.set(`t${i}`, list);
          base = Math.max(...list.map((w) => w.completedAt)) + 1;
        });
        expect(checkTwoActives(groups)).toEqual([]);
        // Swap one write of the last two terms past the other's: now they interleave.
        if (terms.length >= 2) {
          const [a, b] = [groups.get(`t${terms.length - 2}`)!, groups.get(`t${terms.length - 1}`)!];
          const late = base + 10;
          a.push(write('a9', late, { completedAt: late + 1 }));
          expect(checkTwoActives(groups).map((v) => v.invariant)).toEqual(b.length ? ['two-actives'] : []);
        }
      }),
    );
  });

  it('attributes nothing without HA samples', () => {
    const h = clean();
    h.ha!.samples = [];
    expect(attribute(h).size).toBe(0);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classOf } from '../storage/key-class';
import { PERFORMANCE_SET_PATH, setMirrorOps, setRecordOf } from './performance-set';
import { emptyState, type ClusterMode, type ModeState } from './state';

const seal = (_key: string, plain: Buffer) => plain; // the barrier's part, not under test here
const london = { id: 'london', serial: '4a', revoked: false, createdAt: 't0', bootstrappedAt: 't1' };
const creds = { ca: { certPem: 'CA', keyPem: 'CAKEY' }, signingKey: { privateJwk: { kty: 'EC' }, publicJwk: { kty: 'EC' } } };

function apply(store: Map<string, Buffer>, ops: ReturnType<typeof setMirrorOps>) {
  for (const o of ops) (o.op === 'put' ? store.set(o.key, o.value) : store.delete(o.key));
}

describe('the mirrored performance set', () => {
  it('is DR-only: a DR secondary mirrors it, a performance secondary never sees it', () => {
    expect(classOf(PERFORMANCE_SET_PATH)).toBe('local');
  });

  it('is written while the cluster leads the set, rewritten only when it changes, removed when it stops leading', () => {
    const store = new Map<string, Buffer>();
    const primary: ModeState = { ...emptyState(), mode: 'primary', clusterId: 'set-1', epoch: 1, secondaries: [london] };
    apply(store, setMirrorOps(primary, false, null, creds, seal));
    expect(JSON.parse(store.get(PERFORMANCE_SET_PATH)!.toString())).toEqual({ clusterId: 'set-1', epoch: 1, secondaries: [london], ...creds });
    expect(setMirrorOps({ ...primary, lastError: 'x' }, true, store.get(PERFORMANCE_SET_PATH)!, creds, seal)).toEqual([]);
    apply(store, setMirrorOps({ ...primary, mode: 'secondary' }, true, store.get(PERFORMANCE_SET_PATH)!, creds, seal));
    expect(store.has(PERFORMANCE_SET_PATH)).toBe(false);
  });

  it("survives a DR secondary's own state writes (its performance mode is disabled)", () => {
    const mirrored = Buffer.from(JSON.stringify({ clusterId: 'set-1', epoch: 1, secondaries: [], ...creds }));
    expect(setMirrorOps(emptyState(), false, mirrored, {}, seal)).toEqual([]);
  });

  it('always equals what the latest state leads, after any sequence of state writes', () => {
    const modes: ClusterMode[] = ['disabled', 'primary', 'secondary', 'bootstrapping'];
    const state = fc.record({
      mode: fc.constantFrom(...modes),
      epoch: fc.integer({ min: 1, max: 5 }),
      ids: fc.uniqueArray(fc.constantFrom('london', 'sydney', 'tokyo'), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(state, { maxLength: 12 }), (steps) => {
        const store = new Map<string, Buffer>();
        let prev: ModeState = emptyState();
        for (const st of steps) {
          const next: ModeState = { ...emptyState(), mode: st.mode, clusterId: 'set-1', epoch: st.epoch, secondaries: st.ids.map((id) => ({ ...london, id })) };
          apply(store, setMirrorOps(next, prev.mode === 'primary', store.get(PERFORMANCE_SET_PATH) ?? null, creds, seal));
          const stored = store.get(PERFORMANCE_SET_PATH);
          const want = setRecordOf(next, creds);
          if (want) expect(JSON.parse(stored!.toString())).toEqual(want);
          else if (prev.mode === 'primary') expect(stored).toBeUndefined();
          prev = next;
        }
      }),
    );
  });
});

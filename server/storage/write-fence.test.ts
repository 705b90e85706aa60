import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classOf, type KeyClass } from './key-class';
import { SqliteBackend } from './sqlite';
import { FencedError, fenceOp, isFenced, type FenceRecord } from './write-fence';

const KEYS: Record<KeyClass, string> = { replicated: 'logical/abc/secret', local: 'sys/token/id/h1', ignored: 'core/node/scratch' };
const CLASSES: Record<string, KeyClass[]> = { dr: ['replicated', 'local'], performance: ['replicated'] };
const rec = (scope: string, own: number, seen: number): FenceRecord => ({ own, seen, classes: CLASSES[scope], by: 'http://new:8200', reason: `superseded in ${scope}` });

type Step = { kind: 'lead'; scope: string; epoch: number } | { kind: 'tell'; scope: string; epoch: number } | { kind: 'release'; scope: string } | { kind: 'write'; cls: KeyClass };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('lead' as const), scope: fc.constantFrom('dr', 'performance'), epoch: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('tell' as const), scope: fc.constantFrom('dr', 'performance'), epoch: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('release' as const), scope: fc.constantFrom('dr', 'performance') }),
  fc.record({ kind: fc.constant('write' as const), cls: fc.constantFrom<KeyClass>('replicated', 'local', 'ignored') }),
);

describe('write fence', () => {
  it('a client write is refused exactly when a stored record says a newer leader exists and covers its class', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const s = new SqliteBackend({ path: ':memory:' });
        const model = new Map<string, FenceRecord>();
        try {
          for (const st of steps) {
            if (st.kind === 'lead') {
              model.set(st.scope, rec(st.scope, st.epoch, st.epoch));
              s.transaction([fenceOp(st.scope, model.get(st.scope)!)]);
            } else if (st.kind === 'tell') {
              const r = model.get(st.scope);
              if (!r) continue;
              model.set(st.scope, { ...r, seen: Math.max(r.seen, st.epoch) });
              s.transaction([fenceOp(st.scope, model.get(st.scope)!)]);
            } else if (st.kind === 'release') {
              model.delete(st.scope);
              s.transaction([fenceOp(st.scope, null)]);
            } else {
              const refusedBy = [...model.entries()].find(([, r]) => isFenced(r) && r.classes.includes(st.cls));
              const write = () => s.transaction([{ op: 'put', key: KEYS[st.cls], value: Buffer.from('v') }]);
              if (refusedBy) {
                expect(write).toThrow(FencedError);
                expect(write).toThrow(refusedBy[1].reason);
              } else expect(write).not.toThrow();
            }
            for (const scope of ['dr', 'performance']) expect(s.fence.record(scope)).toEqual(model.get(scope) ?? null);
          }
        } finally {
          s.close();
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a refused write leaves no trace; the applier and the node\'s own state are never fenced', () => {
    const s = new SqliteBackend({ path: ':memory:' });
    s.transaction([fenceOp('dr', rec('dr', 1, 2))]);
    const tip = s.committedIndex;
    const err = (() => {
      try {
        s.transaction([{ op: 'put', key: 'core/node/ok', value: Buffer.from('x') }, { op: 'put', key: KEYS.replicated, value: Buffer.from('v') }]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(FencedError);
    expect((err as FencedError).status).toBe(400);
    expect(s.get('core/node/ok')).toBeNull(); // all or nothing
    expect(s.committedIndex).toBe(tip);
    s.transaction([{ op: 'put', key: KEYS.ignored, value: Buffer.from('x') }]);
    s.applyShipped([{ op: 'put', key: KEYS.replicated, value: Buffer.from('shipped') }]);
    expect(s.get(KEYS.replicated)?.toString()).toBe('shipped');
    expect(classOf('core/node/write-fence/dr')).toBe('ignored'); // never shipped to another cluster
    s.close();
  });
});

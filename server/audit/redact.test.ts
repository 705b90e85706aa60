import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashStructure } from './redact';
import { hashString, HMAC_PREFIX } from './salt';

const hash = (v: string) => hashString('salt-1', v);

/** Every string anywhere in a JSON value (keys excluded). */
function stringsIn(v: unknown, skipKeys: ReadonlySet<string> = new Set()): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap((x) => stringsIn(x, skipKeys));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => (skipKeys.has(k) ? [] : stringsIn(x, skipKeys)));
  return [];
}

describe('hashStructure', () => {
  it('replaces every string value at any depth and keeps keys, numbers, booleans and null', () => {
    const out = hashStructure({ a: 's', n: 1, b: true, z: null, nested: { list: ['x', 2, { deep: 'y' }] } }, hash);
    expect(out).toEqual({ a: hash('s'), n: 1, b: true, z: null, nested: { list: [hash('x'), 2, { deep: hash('y') }] } });
    expect(hash('s')).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
  });

  it('keeps the value of an exempted key wherever it appears', () => {
    const out = hashStructure({ keep: 'clear', other: 'x', inner: { keep: { deep: 'also clear' } } }, hash, new Set(['keep']));
    expect(out).toEqual({ keep: 'clear', other: hash('x'), inner: { keep: { deep: 'also clear' } } });
  });

  it('treats a "__proto__" key as data', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "yes"}}');
    const out = hashStructure(input, hash) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('property: no input string survives in the output unless its key is exempted', () => {
    const exemptKey = 'audit_me_not';
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.string({ minLength: 1 }), fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 4 }),
      object: fc.dictionary(fc.oneof(fc.string(), fc.constant(exemptKey)), tie('value'), { maxKeys: 4 }),
    })).value;
    fc.assert(
      fc.property(json, (input) => {
        const out = hashStructure(input, hash, new Set([exemptKey]));
        const exempted = new Set(stringsIn(input).filter((s) => !stringsIn(input, new Set([exemptKey])).includes(s)));
        for (const s of stringsIn(out)) {
          if (exempted.has(s)) continue;
          expect(s.startsWith(HMAC_PREFIX), `clear value ${JSON.stringify(s)} in ${JSON.stringify(out)}`).toBe(true);
        }
      }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VaultError } from '../errors';
import { jsonDepth, MAX_JSON_DEPTH, parseJsonObject } from './request-body';

function depthOf(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const kids = Array.isArray(v) ? v : Object.values(v);
  return 1 + kids.reduce<number>((m, k) => Math.max(m, depthOf(k)), 0);
}

describe('jsonDepth', () => {
  it('counts nesting, not brackets inside strings', () => {
    expect(jsonDepth('{}')).toBe(1);
    expect(jsonDepth('{"a":[1,{"b":"[[[{{{"}]}')).toBe(3);
    expect(jsonDepth('"\\"[["')).toBe(0);
    expect(jsonDepth('1')).toBe(0);
  });

  it('property: equals the depth of the parsed value', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => jsonDepth(JSON.stringify(v)) === depthOf(v)), { numRuns: 1000 });
  });
});

describe('parseJsonObject', () => {
  const nested = (n: number) => Buffer.from(`{"data":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`);

  it(`accepts nesting up to MAX_JSON_DEPTH (${MAX_JSON_DEPTH}) and refuses deeper with a 400`, () => {
    expect(() => parseJsonObject(nested(MAX_JSON_DEPTH))).not.toThrow();
    const err = (() => {
      try {
        parseJsonObject(nested(MAX_JSON_DEPTH + 1));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(VaultError);
    expect((err as VaultError).status).toBe(400);
    expect((err as Error).message).toBe(`failed to parse JSON input: JSON input exceeded allowed nesting depth of ${MAX_JSON_DEPTH}`);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkParameters,
  globMatch,
  mergeParameterRules,
  NO_PARAMETER_RULES,
  parseParameterMap,
  parseRequiredParameters,
  type ParameterRules,
} from './policy-params';

// Rules as a policy author writes them (names in any case), before parsing.
interface RawRules {
  allowed: Record<string, unknown[]>;
  denied: Record<string, unknown[]>;
  required: string[];
}

const compile = (r: RawRules): ParameterRules => ({
  allowed: parseParameterMap(r.allowed, 'allowed_parameters'),
  denied: parseParameterMap(r.denied, 'denied_parameters'),
  required: r.required.length ? parseRequiredParameters(r.required) : [],
});
const merged = (rs: RawRules[]) => rs.map(compile).reduce(mergeParameterRules, NO_PARAMETER_RULES);
const allows = (rs: RawRules | RawRules[], data: Record<string, unknown>) => checkParameters(merged([rs].flat()), data) === null;

// ---- The slow, obvious reading of Vault's rules, written without the compiled maps ----

function slowGlob(pattern: string, value: string): boolean {
  if (pattern.length < 2) return pattern === value;
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const head = pattern.startsWith('*') ? '.*' : '';
  const tail = pattern.endsWith('*') ? '.*' : '';
  const core = pattern.slice(head ? 1 : 0, tail ? -1 : undefined);
  return new RegExp(`^${head}${esc(core)}${tail}$`, 's').test(value);
}
const slowMatch = (el: unknown, v: unknown) =>
  typeof el === 'string' ? typeof v === 'string' && slowGlob(el, v) : JSON.stringify(el ?? null) === JSON.stringify(v ?? null);
// Vault's parseutil.ParseCommaStringSlice: "" is no elements; otherwise split on commas and trim.
const slowElements = (v: unknown): unknown[] | null =>
  Array.isArray(v) ? v : typeof v !== 'string' ? null : v === '' ? [] : v.split(',').map((s) => s.trim());
const slowIn = (v: unknown, list: unknown[]) => list.some((el) => slowMatch(el, v));
const slowAllowedValue = (v: unknown, list: unknown[]) => list.length === 0 || slowIn(v, list) || (slowElements(v)?.every((x) => slowIn(x, list)) ?? false);
const slowDeniedValue = (v: unknown, list: unknown[]) => list.length === 0 || slowIn(v, list) || (slowElements(v)?.some((x) => slowIn(x, list)) ?? false);

/** The merged value list for one lower-cased name across every policy, or undefined. */
function slowList(rs: RawRules[], kind: 'allowed' | 'denied', name: string): unknown[] | undefined {
  const lists = rs.flatMap((r) => Object.entries(r[kind]).filter(([k]) => k.toLowerCase() === name).map(([, v]) => v));
  if (lists.length === 0) return undefined;
  return lists.some((l) => l.length === 0) ? [] : lists.flat();
}

function slowAllows(rs: RawRules[], data: Record<string, unknown>): boolean {
  for (const r of rs.flatMap((x) => x.required)) if (!Object.hasOwn(data, r.toLowerCase())) return false;
  const keys = Object.keys(data);
  if (keys.length === 0) return true;
  if (slowList(rs, 'denied', '*') !== undefined) return false;
  for (const k of keys) {
    const l = slowList(rs, 'denied', k.toLowerCase());
    if (l !== undefined && slowDeniedValue(data[k], l)) return false;
  }
  const names = new Set(rs.flatMap((r) => Object.keys(r.allowed).map((k) => k.toLowerCase())));
  if (names.size === 0 || (names.size === 1 && names.has('*'))) return true;
  for (const k of keys) {
    const l = slowList(rs, 'allowed', k.toLowerCase());
    if (l === undefined) {
      if (!names.has('*')) return false;
    } else if (!slowAllowedValue(data[k], l)) return false;
  }
  return true;
}

// ---- Generators: a small alphabet so that names, globs and values collide often ----

const ruleName = fc.constantFrom('a', 'b', 'A', 'c', '*');
const ruleValue = fc.oneof(fc.constantFrom('x', 'y', 'x*', '*y', '*x*', '*', '', 'x,y'), fc.integer({ min: 0, max: 2 }), fc.boolean());
const valueList = fc.array(ruleValue, { maxLength: 3 });
const rawRules: fc.Arbitrary<RawRules> = fc.record({
  allowed: fc.dictionary(ruleName, valueList, { maxKeys: 3 }),
  denied: fc.dictionary(ruleName, valueList, { maxKeys: 2 }),
  required: fc.subarray(['a', 'b', 'A']),
});
const scalar = fc.oneof(fc.constantFrom('x', 'y', 'xy', 'yx', 'x,y', ' x , z', '', '*', 'z'), fc.integer({ min: 0, max: 2 }), fc.boolean(), fc.constant(null));
const dataValue = fc.oneof(scalar, fc.array(fc.oneof(fc.constantFrom('x', 'y', 'z'), fc.integer({ min: 0, max: 2 })), { maxLength: 3 }));
const data = fc.dictionary(fc.constantFrom('a', 'b', 'A', 'c', 'd'), dataValue, { maxKeys: 3 });
const RUNS = { numRuns: 2_000 };

describe('checkParameters (examples)', () => {
  const rules = (r: Partial<RawRules>): RawRules => ({ allowed: {}, denied: {}, required: [], ...r });

  it('allowed_parameters restricts the names a request may carry', () => {
    const own = rules({ allowed: { password: [] } });
    expect(allows(own, { password: 'new' })).toBe(true);
    expect(allows(own, { password: 'new', token_policies: 'root' })).toBe(false);
    expect(allows(own, { token_policies: 'root' })).toBe(false);
    expect(allows(own, {})).toBe(true);
  });

  it('parameter names match case-insensitively', () => {
    expect(allows(rules({ allowed: { Password: [] } }), { PASSWORD: 'x' })).toBe(true);
    expect(allows(rules({ denied: { TOKEN_policies: [] } }), { Token_Policies: 'x' })).toBe(false);
  });

  it('"*" = [] admits any name, while other listed names keep their value lists', () => {
    const r = rules({ allowed: { '*': [], env: ['dev', 'stage'] } });
    expect(allows(r, { anything: 1, env: 'dev' })).toBe(true);
    expect(allows(r, { env: 'prod' })).toBe(false);
  });

  it('value lists glob with a leading or trailing *, and a lone * is literal', () => {
    expect(globMatch('dev-*', 'dev-a')).toBe(true);
    expect(globMatch('*-dev', 'a-dev')).toBe(true);
    expect(globMatch('*ev*', 'devs')).toBe(true);
    expect(globMatch('*', 'anything')).toBe(false);
    expect(globMatch('*', '*')).toBe(true);
    expect(allows(rules({ allowed: { role: ['app-*'] } }), { role: 'app-web' })).toBe(true);
    expect(allows(rules({ allowed: { role: ['app-*'] } }), { role: 'admin' })).toBe(false);
  });

  it('lists and comma-separated strings are judged element by element', () => {
    const allowedPolicies = rules({ allowed: { token_policies: ['default', 'dev'] } });
    expect(allows(allowedPolicies, { token_policies: ['default', 'dev'] })).toBe(true);
    expect(allows(allowedPolicies, { token_policies: 'default, dev' })).toBe(true);
    expect(allows(allowedPolicies, { token_policies: 'dev,root' })).toBe(false);
    expect(allows(allowedPolicies, { token_policies: ['dev', 'root'] })).toBe(false);
    const deniedRoot = rules({ denied: { token_policies: ['root'] } });
    expect(allows(deniedRoot, { token_policies: 'dev,root' })).toBe(false);
    expect(allows(deniedRoot, { token_policies: ['root'] })).toBe(false);
    expect(allows(deniedRoot, { token_policies: 'dev' })).toBe(true);
  });

  it('denied beats allowed, and denied "*" refuses any data', () => {
    expect(allows(rules({ allowed: { a: [] }, denied: { a: ['bad'] } }), { a: 'bad' })).toBe(false);
    expect(allows(rules({ denied: { '*': [] } }), { a: 1 })).toBe(false);
    expect(allows(rules({ denied: { '*': [] } }), {})).toBe(true);
  });

  it('required parameters must be present, even with empty data', () => {
    const r = rules({ required: ['reason'] });
    expect(allows(r, {})).toBe(false);
    expect(allows(r, { other: 1 })).toBe(false);
    expect(allows(r, { reason: '' })).toBe(true);
  });

  it('numbers and booleans match by value', () => {
    expect(allows(rules({ allowed: { n: [1, true] } }), { n: 1 })).toBe(true);
    expect(allows(rules({ allowed: { n: [1, true] } }), { n: 2 })).toBe(false);
    expect(allows(rules({ denied: { n: [0] } }), { n: 0 })).toBe(false);
  });

  it('merging: an empty list (any value) wins; otherwise value lists join', () => {
    expect(allows([rules({ allowed: { a: ['x'] } }), rules({ allowed: { a: [] } })], { a: 'q' })).toBe(true);
    expect(allows([rules({ allowed: { a: ['x'] } }), rules({ allowed: { a: ['y'] } })], { a: 'y' })).toBe(true);
    expect(allows([rules({ allowed: { a: ['x'] } }), rules({})], { b: 1 })).toBe(false);
    expect(merged([rules({ required: ['a'] }), rules({ required: ['b', 'a'] })]).required).toEqual(['a', 'b']);
  });
});

describe('checkParameters (properties)', () => {
  it('agrees with the slow obvious reading of the rules, for merged policies too', () => {
    fc.assert(
      fc.property(fc.array(rawRules, { minLength: 1, maxLength: 3 }), data, (rs, d) => {
        expect(allows(rs, d)).toBe(slowAllows(rs, d));
      }),
      RUNS,
    );
  });

  it('a parameter value that any policy denies is never accepted', () => {
    fc.assert(
      fc.property(fc.array(rawRules, { minLength: 1, maxLength: 3 }), data, (rs, d) => {
        const hit = Object.keys(d).some((k) =>
          rs.some((r) => Object.entries(r.denied).some(([name, list]) => (name === '*' || name.toLowerCase() === k.toLowerCase()) && (name === '*' || slowDeniedValue(d[k], list)))),
        );
        if (hit) expect(allows(rs, d)).toBe(false);
      }),
      RUNS,
    );
  });

  // For a single-element value. A list value ("x,y" or ["x","y"]) may be allowed by the merge
  // alone: Vault joins the value lists, so x-only plus y-only allows "x,y" (found by this property
  // in a CI run; pinned by the example below).
  it('merging never allows a single-element parameter that neither policy allows', () => {
    fc.assert(
      fc.property(rawRules, rawRules, fc.constantFrom('a', 'b', 'A', 'c', 'd'), dataValue, (r1, r2, key, value) => {
        fc.pre((slowElements(value)?.length ?? 1) <= 1);
        const d = { [key]: value };
        if (allows([r1, r2], d)) expect(allows(r1, d) || allows(r2, d)).toBe(true);
      }),
      RUNS,
    );
  });

  it('merging joins value lists: "x,y" is allowed by an x-only and a y-only policy together, as in Vault', () => {
    const xOnly: RawRules = { allowed: { a: ['x'] }, denied: {}, required: [] };
    const yOnly: RawRules = { allowed: { a: ['y'] }, denied: {}, required: [] };
    expect(allows(xOnly, { a: 'x,y' }) || allows(yOnly, { a: 'x,y' })).toBe(false);
    expect(allows([xOnly, yOnly], { a: 'x,y' })).toBe(true);
    expect(allows([xOnly, yOnly], { a: ['x', 'y'] })).toBe(true);
    expect(allows([xOnly, yOnly], { a: 'x,z' })).toBe(false);
  });

  it('merge order does not change a decision', () => {
    fc.assert(
      fc.property(rawRules, rawRules, data, (r1, r2, d) => {
        expect(allows([r1, r2], d)).toBe(allows([r2, r1], d));
      }),
      RUNS,
    );
  });
});

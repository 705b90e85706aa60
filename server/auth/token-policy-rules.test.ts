import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VaultError } from '../errors';
import { childPolicies, globMatch, NON_ASSIGNABLE_POLICIES, normalizeNames, sanitizePolicies, type PolicyRole } from './token-policy-rules';

const NAMES = ['root', 'ROOT', ' Root ', 'default', 'Default', 'admin', 'ADMIN', ' admin', 'ops', 'Ops', 'dev-a', 'dev-b', 'prod-x', 'response-wrapping', ''];
const GLOBS = ['*', 'dev-*', 'prod-*', 'r*', '*min', 'ad*n', 'de*ult'];
const name = fc.constantFrom(...NAMES);
const names = fc.array(name, { maxLength: 5 });
const globs = fc.array(fc.constantFrom(...GLOBS), { maxLength: 2 });
const role = fc.option(
  fc.record({ allowed: names, disallowed: names, allowedGlob: globs, disallowedGlob: globs, noDefaultPolicy: fc.boolean() }),
  { nil: null },
);
const parent = fc.record({ policies: names, sudo: fc.boolean() });
const request = fc.record({ policies: fc.option(names, { nil: undefined }), noDefaultPolicy: fc.boolean() });

/** The verdict as a value: the policies, or the refusal's message. */
function outcome(...args: Parameters<typeof childPolicies>): string[] | string {
  try {
    return childPolicies(...args);
  } catch (err) {
    if (err instanceof VaultError && err.status === 400) return err.message;
    throw err;
  }
}

/** What the rules permit at most: the slow, obvious statement of the rules. */
function permits(p: { policies: string[]; sudo: boolean }, r: PolicyRole | null, policy: string): boolean {
  const parentPolicies = sanitizePolicies(p.policies, false);
  const parentRoot = parentPolicies.includes('root');
  if (NON_ASSIGNABLE_POLICIES.includes(policy)) return false;
  if (policy === 'root') return parentRoot;
  const setsPolicies = r && r.allowed.length + r.disallowed.length + r.allowedGlob.length + r.disallowedGlob.length > 0;
  if (!r || !setsPolicies) return parentRoot || p.sudo || parentPolicies.includes(policy);
  const disallowed = normalizeNames(r.disallowed);
  const disallowedGlob = normalizeNames(r.disallowedGlob);
  if (disallowed.includes(policy) || disallowedGlob.some((g) => globMatch(g, policy))) return false;
  if (policy === 'default') return true;
  const allowed = sanitizePolicies(r.allowed, false);
  const allowedGlob = normalizeNames(r.allowedGlob);
  if (allowed.length || allowedGlob.length) return allowed.includes(policy) || allowedGlob.some((g) => globMatch(g, policy));
  return parentRoot || parentPolicies.includes(policy);
}

describe('childPolicies', () => {
  it('never gives root to a child of a non-root parent, through any role or request', () => {
    fc.assert(
      fc.property(parent, request, role, (p, q, r) => {
        const out = outcome(p, q, r);
        if (typeof out === 'string') return;
        if (!sanitizePolicies(p.policies, false).includes('root')) expect(out).not.toContain('root');
      }),
      { numRuns: 3000 },
    );
  });

  it('always returns a subset of what the parent, the role and sudo allow', () => {
    fc.assert(
      fc.property(parent, request, role, (p, q, r) => {
        const out = outcome(p, q, r);
        if (typeof out === 'string') return;
        for (const policy of out) expect(permits(p, r, policy), `${policy} from ${JSON.stringify({ p, q, r })}`).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('judges names after trimming and lower-casing: "ADMIN" is admin', () => {
    const upper = (l: string[]) => l.map((s) => ` ${s.toUpperCase()} `);
    fc.assert(
      fc.property(parent, request, role, (p, q, r) => {
        const shouted = outcome(
          { ...p, policies: upper(p.policies) },
          { ...q, policies: q.policies && upper(q.policies) },
          r && { ...r, allowed: upper(r.allowed), disallowed: upper(r.disallowed), allowedGlob: upper(r.allowedGlob), disallowedGlob: upper(r.disallowedGlob) },
        );
        expect(shouted).toEqual(outcome(p, q, r));
      }),
      { numRuns: 1000 },
    );
  });

  it('returns clean names: trimmed, lower-case, unique, sorted', () => {
    fc.assert(
      fc.property(parent, request, role, (p, q, r) => {
        const out = outcome(p, q, r);
        if (typeof out === 'string') return;
        expect(out).toEqual([...new Set(out.map((x) => x.trim().toLowerCase()))].sort());
        expect(out).not.toContain('');
      }),
    );
  });

  const ops: PolicyRole = { allowed: [], disallowed: ['admin'], allowedGlob: [], disallowedGlob: [], noDefaultPolicy: false };
  const creator = { policies: ['default', 'ops-creator'], sudo: false };

  it('a role with only disallowed_policies cannot mint root for a non-root parent', () => {
    expect(outcome(creator, { policies: ['root'], noDefaultPolicy: false }, ops)).toBe('child policies must be subset of parent');
    expect(outcome(creator, { policies: ['superuser'], noDefaultPolicy: false }, ops)).toBe('child policies must be subset of parent');
    expect(outcome(creator, { policies: ['ADMIN'], noDefaultPolicy: false }, ops)).toBe('child policies must be subset of parent');
    expect(outcome(creator, { noDefaultPolicy: false }, ops)).toEqual(['default', 'ops-creator']);
  });

  it('a role never grants root to a non-root parent, even when it allows root', () => {
    const loose: PolicyRole = { ...ops, allowed: ['root', 'app'], disallowed: [] };
    expect(outcome(creator, { policies: ['root'], noDefaultPolicy: false }, loose)).toBe('root tokens may not be created without parent token being root');
    expect(outcome({ policies: ['root'], sudo: true }, { policies: ['root'], noDefaultPolicy: false }, loose)).toEqual(['root']);
  });

  it('refuses a disallowed policy whatever its case, and disallowed globs', () => {
    const admin = { policies: ['admin', 'default'], sudo: false };
    expect(outcome(admin, { policies: ['ADMIN'], noDefaultPolicy: false }, ops)).toBe('token policy "admin" is disallowed by this role');
    const globbed: PolicyRole = { ...ops, disallowed: [], allowed: ['dev-a', 'prod-x'], disallowedGlob: ['prod-*'] };
    expect(outcome(creator, { policies: ['Prod-X'], noDefaultPolicy: false }, globbed)).toBe('token policy "prod-x" is disallowed by this role');
    expect(outcome(creator, { policies: ['dev-a'], noDefaultPolicy: false }, globbed)).toEqual(['default', 'dev-a']);
  });

  it('without a role a non-sudo parent gives only a subset of its own policies', () => {
    expect(outcome(creator, { policies: ['ops-creator'], noDefaultPolicy: false }, null)).toEqual(['default', 'ops-creator']);
    expect(outcome(creator, { policies: ['admin'], noDefaultPolicy: false }, null)).toBe('child policies must be subset of parent');
    expect(outcome({ ...creator, sudo: true }, { policies: ['admin'], noDefaultPolicy: true }, null)).toEqual(['admin']);
    expect(outcome({ ...creator, sudo: true }, { policies: ['root'], noDefaultPolicy: false }, null)).toBe('root tokens may not be created without parent token being root');
  });

  it('matches globs the way go-glob does', () => {
    expect(globMatch('dev-*', 'dev-a')).toBe(true);
    expect(globMatch('ab*b', 'ab')).toBe(false);
    expect(globMatch('a*b*c', 'abc')).toBe(true);
    expect(globMatch('*min', 'admin')).toBe(true);
    expect(globMatch('prod', 'prod-x')).toBe(false);
  });
});

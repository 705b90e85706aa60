import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Acl, type AclRequest } from './acl';
import { parsePolicy, type Capability } from './policy';
import { checkParameters, mergeParameterRules, NO_PARAMETER_RULES } from './policy-params';
import type { Operation } from './request';

const acl = (...texts: string[]) => new Acl(texts.map((t, i) => parsePolicy(`p${i}`, t)));
const ok = (a: Acl, req: AclRequest) => a.authorize(req).allowed;

describe('Acl.authorize', () => {
  it('a user allowed to change only their own password cannot set token_policies', () => {
    const a = acl('path "auth/userpass/users/alice" { capabilities = ["update"] allowed_parameters = { "password" = [] } }');
    const path = 'auth/userpass/users/alice';
    expect(ok(a, { path, operation: 'update', data: { password: 'new' } })).toBe(true);
    expect(ok(a, { path, operation: 'update', data: { token_policies: 'root' } })).toBe(false);
    expect(ok(a, { path, operation: 'update', data: { password: 'new', TOKEN_POLICIES: 'root' } })).toBe(false);
  });

  it('checks parameters on read, create, update and patch, not on list or delete', () => {
    const a = acl('path "k/*" { capabilities = ["read", "create", "update", "patch", "list", "delete"] allowed_parameters = { "ok" = [] } }');
    for (const operation of ['read', 'create', 'update', 'patch'] as Operation[]) {
      expect(ok(a, { path: 'k/x', operation, data: { bad: 1 } })).toBe(false);
    }
    for (const operation of ['list', 'delete'] as Operation[]) {
      expect(ok(a, { path: 'k/x', operation, data: { bad: 1 } })).toBe(true);
    }
  });

  it('min_wrapping_ttl: an unwrapped or too-short request is refused', () => {
    const a = acl('path "secret/*" { capabilities = ["read"] min_wrapping_ttl = "1m" }');
    expect(ok(a, { path: 'secret/x', operation: 'read' })).toBe(false);
    expect(ok(a, { path: 'secret/x', operation: 'read', wrapTtl: 30 })).toBe(false);
    expect(a.authorize({ path: 'secret/x', operation: 'read', wrapTtl: 60 })).toEqual({ allowed: true, sudo: false, wrapRequired: true });
  });

  it('max_wrapping_ttl: wrapping is required and may not exceed the bound', () => {
    const a = acl('path "secret/*" { capabilities = ["read"] max_wrapping_ttl = "1h" }');
    expect(ok(a, { path: 'secret/x', operation: 'read' })).toBe(false);
    expect(ok(a, { path: 'secret/x', operation: 'read', wrapTtl: 3601 })).toBe(false);
    expect(ok(a, { path: 'secret/x', operation: 'read', wrapTtl: 3600 })).toBe(true);
  });

  it('merged wrap bounds keep the lesser of each, and a merged max below min refuses everything', () => {
    const a = acl(
      'path "s/x" { capabilities = ["read"] min_wrapping_ttl = "10m" max_wrapping_ttl = "1h" }',
      'path "s/x" { capabilities = ["read"] min_wrapping_ttl = "20m" max_wrapping_ttl = "30m" }',
    );
    expect(ok(a, { path: 's/x', operation: 'read', wrapTtl: 600 })).toBe(true);
    expect(ok(a, { path: 's/x', operation: 'read', wrapTtl: 1801 })).toBe(false);
    const crossed = acl('path "s/x" { capabilities = ["read"] max_wrapping_ttl = "5m" }', 'path "s/x" { capabilities = ["read"] min_wrapping_ttl = "10m" }');
    for (const wrapTtl of [60, 300, 600, 3600]) expect(ok(crossed, { path: 's/x', operation: 'read', wrapTtl })).toBe(false);
  });

  it('a deny merged in drops the parameter rules with the capabilities', () => {
    const a = acl('path "s/x" { capabilities = ["update"] allowed_parameters = { "a" = [] } }', 'path "s/x" { capabilities = ["deny"] }');
    expect(a.authorize({ path: 's/x', operation: 'update', data: { a: 1 } })).toMatchObject({ allowed: false });
  });

  it('only the winning pattern decides: a more specific rule without parameter rules is not restricted', () => {
    const a = acl('path "s/*" { capabilities = ["update"] allowed_parameters = { "a" = [] } }', 'path "s/open" { capabilities = ["update"] }');
    expect(ok(a, { path: 's/open', operation: 'update', data: { b: 1 } })).toBe(true);
    expect(ok(a, { path: 's/other', operation: 'update', data: { b: 1 } })).toBe(false);
  });

  it('reports sudo from the winning rule, and root allows everything', () => {
    expect(acl('path "sys/x" { capabilities = ["update", "sudo"] }').authorize({ path: 'sys/x', operation: 'update' })).toMatchObject({ allowed: true, sudo: true });
    expect(new Acl([], { root: true }).authorize({ path: 'any', operation: 'delete', data: { x: 1 } })).toEqual({ allowed: true, sudo: true, wrapRequired: false });
  });
});

// One pattern, several policies: the compiled Acl must agree with folding the
// raw rules the obvious way (vault/acl.go NewACL then AllowOperation).
describe('Acl.authorize (property: compiled equals the obvious fold)', () => {
  const CAPS: Capability[] = ['create', 'read', 'update', 'delete', 'list', 'patch', 'deny'];
  const rule = fc.record({
    caps: fc.subarray(CAPS, { minLength: 1 }),
    allowed: fc.dictionary(fc.constantFrom('a', 'b', '*'), fc.array(fc.constantFrom('x', 'y*'), { maxLength: 2 }), { maxKeys: 2 }),
    required: fc.subarray(['a']),
    min: fc.constantFrom(0, 60, 600),
    max: fc.constantFrom(0, 300, 3600),
  });
  const hcl = (r: { caps: Capability[]; allowed: Record<string, string[]>; required: string[]; min: number; max: number }) => {
    const max = r.min && r.max && r.max < r.min ? 0 : r.max; // a single rule with max < min is refused at write
    const allowed = Object.entries(r.allowed).map(([k, v]) => `"${k}" = ${JSON.stringify(v)}`).join(', ');
    return `path "s/x" {
      capabilities = ${JSON.stringify(r.caps)}
      ${Object.keys(r.allowed).length ? `allowed_parameters = { ${allowed} }` : ''}
      ${r.required.length ? `required_parameters = ${JSON.stringify(r.required)}` : ''}
      ${r.min ? `min_wrapping_ttl = ${r.min}` : ''}
      ${max ? `max_wrapping_ttl = ${max}` : ''}
    }`;
  };

  it('matches the fold for random rules, operations, data and wrap TTLs', () => {
    fc.assert(
      fc.property(
        fc.array(rule, { minLength: 1, maxLength: 3 }),
        fc.constantFrom<Operation>('read', 'create', 'update', 'delete', 'list', 'patch'),
        fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('x', 'y1', 'z'), { maxKeys: 2 }),
        fc.constantFrom(undefined, 30, 60, 300, 600, 3600, 7200),
        (rules, operation, data, wrapTtl) => {
          const policies = rules.map((r, i) => parsePolicy(`p${i}`, hcl(r)));
          const got = new Acl(policies).authorize({ path: 's/x', operation, data, wrapTtl }).allowed;

          // The obvious fold: deny from the first deny on, else unions and lesser bounds.
          const parsed = policies.map((p) => p.rules[0]);
          const firstDeny = parsed.findIndex((r) => r.capabilities.includes('deny'));
          const live = firstDeny < 0 ? parsed : parsed.slice(0, firstDeny);
          let want: boolean;
          if (firstDeny >= 0) want = false;
          else {
            const caps = new Set(live.flatMap((r) => r.capabilities));
            const lesser = (xs: number[]) => Math.min(...xs.filter((x) => x > 0), Infinity);
            const min = lesser(live.map((r) => r.wrapTtl?.min ?? 0));
            const max = lesser(live.map((r) => r.wrapTtl?.max ?? 0));
            const t = wrapTtl ?? 0;
            const wrapOk = (max === Infinity || (t > 0 && t <= max)) && (min === Infinity || (t > 0 && t >= min)) && !(min !== Infinity && max !== Infinity && max < min);
            const params = live.map((r) => r.params ?? NO_PARAMETER_RULES).reduce(mergeParameterRules, NO_PARAMETER_RULES);
            const paramsOk = operation === 'list' || operation === 'delete' || checkParameters(params, data) === null;
            want = caps.has(operation) && wrapOk && paramsOk;
          }
          expect(got).toBe(want);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('Acl.hasAccessUnder (the sys/internal/ui/mounts preflight)', () => {
  it('grants when a rule at or under the mount grants anything, as Vault\'s hasMountAccess', () => {
    expect(acl('path "secret/data/*" { capabilities = ["read"] }').hasAccessUnder('secret/')).toBe(true);
    expect(acl('path "secret/data/app" { capabilities = ["read"] }').hasAccessUnder('secret/')).toBe(true);
    expect(acl('path "secret/*" { capabilities = ["list"] }').hasAccessUnder('secret/')).toBe(true);
    expect(acl('path "*" { capabilities = ["read"] }').hasAccessUnder('secret/')).toBe(true);
    expect(acl('path "secret/+/app" { capabilities = ["read"] }').hasAccessUnder('secret/')).toBe(true);
  });

  it('refuses when nothing under the mount is granted, or only denied', () => {
    expect(acl('path "other/data/*" { capabilities = ["read"] }').hasAccessUnder('secret/')).toBe(false);
    expect(acl('path "secretive/*" { capabilities = ["read"] }').hasAccessUnder('secret/')).toBe(false);
    expect(acl('path "secret/data/*" { capabilities = ["deny"] }').hasAccessUnder('secret/')).toBe(false);
    expect(acl().hasAccessUnder('secret/')).toBe(false);
  });
});

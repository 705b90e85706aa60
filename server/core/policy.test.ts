import { describe, expect, it } from 'vitest';
import { VaultError } from '../errors';
import { Acl } from './acl';
import { DEFAULT_POLICY_HCL, defaultPolicy, parsePolicy, type Policy } from './policy';

const pol = (name: string, text: string): Policy => parsePolicy(name, text);
const acl = (...texts: string[]) => new Acl(texts.map((t, i) => pol(`p${i}`, t)));

function parseError(text: string): VaultError {
  try {
    parsePolicy('bad', text);
  } catch (err) {
    expect(err).toBeInstanceOf(VaultError);
    return err as VaultError;
  }
  throw new Error('expected parsePolicy to throw');
}

describe('parsePolicy', () => {
  it('parses one and several path blocks in file order', () => {
    const p = pol('dev', `
      path "secret/*" { capabilities = ["read", "list"] }
      path "/sys/policy/*" {
        capabilities = ["create", "read", "update", "delete", "list", "sudo"]
      }
    `);
    expect(p.name).toBe('dev');
    expect(p.rules).toEqual([
      { path: 'secret/*', capabilities: ['read', 'list'] },
      { path: 'sys/policy/*', capabilities: ['create', 'read', 'update', 'delete', 'list', 'sudo'] },
    ]);
  });

  it('keeps the raw text', () => {
    const text = 'path "a" { capabilities = ["read"] }';
    expect(pol('x', text).raw).toBe(text);
  });

  it('accepts the JSON form', () => {
    const p = pol('j', JSON.stringify({ path: { 'kv/*': { capabilities: ['read'] }, 'kv/x': { policy: 'deny' } } }));
    expect(p.rules).toEqual([
      { path: 'kv/*', capabilities: ['read'] },
      { path: 'kv/x', capabilities: ['deny'] },
    ]);
  });

  it('maps the legacy policy = "…" form as Vault does', () => {
    const caps = (legacy: string) => pol('l', `path "a" { policy = "${legacy}" }`).rules[0].capabilities;
    expect(caps('read')).toEqual(['read', 'list']);
    expect(caps('write')).toEqual(['create', 'read', 'update', 'delete', 'list']);
    expect(caps('sudo')).toEqual(['create', 'read', 'update', 'delete', 'list', 'sudo']);
    expect(caps('deny')).toEqual(['deny']);
    expect(parseError('path "a" { policy = "admin" }').message).toBe('failed to parse policy: path "a": invalid policy "admin"');
  });

  it('reduces a rule listing deny to deny only', () => {
    expect(pol('d', 'path "a" { capabilities = ["read", "deny", "list"] }').rules[0].capabilities).toEqual(['deny']);
  });

  it('parses parameter rules and wrapping TTLs instead of ignoring them', () => {
    const p = pol('params', `
      name = "ignored"
      path "secret/data/app" {
        comment = "Vault accepts a comment here"
        capabilities = ["create", "update"]
        allowed_parameters = { "Data" = [], "options" = ["cas*"] }
        denied_parameters = { "password" = ["*"] }
        required_parameters = ["data"]
        min_wrapping_ttl = "1s"
        max_wrapping_ttl = 90
      }
    `);
    expect(p.rules).toEqual([
      {
        path: 'secret/data/app',
        capabilities: ['create', 'update'],
        params: {
          allowed: new Map([['data', []], ['options', ['cas*']]]),
          denied: new Map([['password', ['*']]]),
          required: ['data'],
        },
        wrapTtl: { min: 1, max: 90 },
      },
    ]);
    expect(pol('plain', 'path "a" { capabilities = ["read"] }').rules).toEqual([{ path: 'a', capabilities: ['read'] }]);
  });

  it('refuses malformed parameter rules and wrapping TTLs with a 400', () => {
    const bad = (body: string) => parseError(`path "a" { capabilities = ["update"] ${body} }`);
    expect(bad('allowed_parameters = { "x" = "y" }').message).toBe('failed to parse policy: path "a": allowed_parameters: parameter "x" must be a list of values');
    expect(bad('denied_parameters = ["x"]').message).toMatch(/denied_parameters must be a map/);
    expect(bad('allowed_parameters = { "x*" = [] }').message).toMatch(/cannot contain non-tail wildcards/);
    expect(bad('denied_parameters = { "/a/b" = [] }').message).toMatch(/JSON-pointer parameter keys are not supported/);
    expect(bad('required_parameters = "x"').message).toMatch(/required_parameters must be a list/);
    expect(bad('required_parameters = ["*"]').message).toMatch(/wildcard is not permitted/);
    expect(bad('min_wrapping_ttl = "soon"').message).toMatch(/error parsing min_wrapping_ttl/);
    expect(bad('min_wrapping_ttl = "2m" max_wrapping_ttl = "1m"').message).toBe(
      'failed to parse policy: path "a": max_wrapping_ttl cannot be less than min_wrapping_ttl',
    );
    for (const b of ['allowed_parameters = { "x" = "y" }', 'min_wrapping_ttl = "soon"']) expect(bad(b).status).toBe(400);
  });

  it('reports HCL syntax errors with the parser position', () => {
    const err = parseError('path "secret/*" { capabilities = ["read"]');
    expect(err.code).toBe('invalid_request');
    expect(err.status).toBe(400);
    expect(err.message).toBe('failed to parse policy: At 1:43: object expected closing RBRACE got: EOF');
  });

  it('rejects unknown capabilities, missing capabilities and unknown keys', () => {
    expect(parseError('path "a" { capabilities = ["read", "write"] }').message).toBe(
      'failed to parse policy: path "a": invalid capability "write"',
    );
    expect(parseError('path "a" { capabilities = [1] }').message).toBe('failed to parse policy: path "a": invalid capability 1');
    expect(parseError('path "a" {}').message).toBe('failed to parse policy: path "a": missing capabilities');
    expect(parseError('path "a" { capabilities = "read" }').message).toMatch(/capabilities must be a list/);
    expect(parseError('path "a" { capabilities = ["read"] colour = "red" }').message).toBe(
      'failed to parse policy: path "a": invalid key "colour"',
    );
    expect(parseError('paths "a" { capabilities = ["read"] }').message).toBe('failed to parse policy: invalid key "paths"');
    expect(parseError('path = "a"').message).toMatch(/"path" must be a block/);
  });

  it('refuses gates it cannot enforce instead of silently granting', () => {
    expect(parseError('path "a" { capabilities = ["read"] mfa_methods = ["m"] }').message).toMatch(/mfa_methods is not supported/);
  });

  it("rejects Vault's forbidden '+*' wildcard", () => {
    expect(parseError('path "secret/+*" { capabilities = ["read"] }').message).toMatch(/'\+\*' is forbidden/);
  });
});

describe('Acl matching', () => {
  it('an exact pattern matches only that path', () => {
    const a = acl('path "secret/foo" { capabilities = ["read"] }');
    expect(a.capabilities('secret/foo')).toEqual(['read']);
    expect(a.capabilities('secret/foo/bar')).toEqual([]);
    expect(a.capabilities('secret/fo')).toEqual([]);
    expect(a.capabilities('secret/foobar')).toEqual([]);
  });

  it('a trailing * is a prefix match, not a segment match', () => {
    const a = acl('path "secret/fo*" { capabilities = ["read"] }');
    expect(a.allows('secret/foo', 'read')).toBe(true);
    expect(a.allows('secret/fo', 'read')).toBe(true);
    expect(a.allows('secret/food/x/y', 'read')).toBe(true);
    expect(a.allows('secret/f', 'read')).toBe(false);
  });

  it('+ matches exactly one segment, anywhere', () => {
    const a = acl('path "secret/+/config" { capabilities = ["read"] }');
    expect(a.allows('secret/app/config', 'read')).toBe(true);
    expect(a.allows('secret/config', 'read')).toBe(false);
    expect(a.allows('secret/a/b/config', 'read')).toBe(false);
    expect(a.allows('secret/app/config/x', 'read')).toBe(false);

    const lead = acl('path "+/data/x" { capabilities = ["read"] }');
    expect(lead.allows('kv/data/x', 'read')).toBe(true);
    expect(lead.allows('kv/data/y', 'read')).toBe(false);
  });

  it('+ combines with a trailing *', () => {
    const a = acl('path "secret/+/team-*" { capabilities = ["list"] }');
    expect(a.allows('secret/x/team-a', 'list')).toBe(true);
    expect(a.allows('secret/x/team-a/deep/er', 'list')).toBe(true);
    expect(a.allows('secret/x/other', 'list')).toBe(false);
    expect(a.allows('secret/x', 'list')).toBe(false);
  });

  it('a literal "+" inside a segment is not a wildcard', () => {
    const a = acl('path "secret/a+b" { capabilities = ["read"] }');
    expect(a.allows('secret/a+b', 'read')).toBe(true);
    expect(a.allows('secret/axb', 'read')).toBe(false);
  });

  it('ignores a leading slash on the request path', () => {
    expect(acl('path "secret/*" { capabilities = ["read"] }').allows('/secret/x', 'read')).toBe(true);
  });
});

describe('Acl priority: only the most specific matching pattern applies', () => {
  it('an exact match beats any glob', () => {
    const a = acl('path "secret/*" { capabilities = ["read", "update"] }', 'path "secret/x" { capabilities = ["list"] }');
    expect(a.capabilities('secret/x')).toEqual(['list']);
    expect(a.allows('secret/x', 'read')).toBe(false);
    expect(a.capabilities('secret/y')).toEqual(['read', 'update']);
  });

  it('secret/+/ro/* deny vs secret/* read: read wins, exactly as in Vault', () => {
    // Both have their first wildcard at offset 7 and both end in *, so the
    // next rule decides: fewer + segments wins, and secret/* has none. A
    // Vault user hits the same surprise; we keep Vault's answer.
    const a = acl('path "secret/*" { capabilities = ["read"] }', 'path "secret/+/ro/*" { capabilities = ["deny"] }');
    expect(a.capabilities('secret/app/ro/key')).toEqual(['read']);
    expect(a.allows('secret/app/ro/key', 'read')).toBe(true);
  });

  it('secret/+/ro/* deny beats secret/+/* read (same start, longer wins)', () => {
    const a = acl('path "secret/+/*" { capabilities = ["read"] }', 'path "secret/+/ro/*" { capabilities = ["deny"] }');
    expect(a.capabilities('secret/app/ro/key')).toEqual(['deny']);
    expect(a.allows('secret/app/ro/key', 'read')).toBe(false);
    expect(a.allows('secret/app/rw/key', 'read')).toBe(true);
    expect(a.allows('secret/app/ro', 'read')).toBe(true); // too short for the deny pattern
  });

  it('secret/data/+/ro/* deny beats secret/* read (later first wildcard)', () => {
    const a = acl('path "secret/*" { capabilities = ["read"] }', 'path "secret/data/+/ro/*" { capabilities = ["deny"] }');
    expect(a.capabilities('secret/data/app/ro/key')).toEqual(['deny']);
    expect(a.allows('secret/data/app/rw/key', 'read')).toBe(true);
  });

  it('the later the first wildcard, the more specific', () => {
    const a = acl(
      'path "foo/+/bar/baz" { capabilities = ["read"] }',
      'path "foo/bar/+/baz" { capabilities = ["update"] }',
    );
    expect(a.capabilities('foo/bar/bar/baz')).toEqual(['update']);
    // a glob that starts later than a + wins too: foo/a* over foo/+
    const b = acl('path "foo/+" { capabilities = ["read"] }', 'path "foo/a*" { capabilities = ["list"] }');
    expect(b.capabilities('foo/abc')).toEqual(['list']);
  });

  it('not ending in * beats ending in * at the same first wildcard', () => {
    const a = acl('path "foo/*" { capabilities = ["read"] }', 'path "foo/+" { capabilities = ["update"] }');
    expect(a.capabilities('foo/x')).toEqual(['update']);
    expect(a.capabilities('foo/x/y')).toEqual(['read']);
    const b = acl('path "foo/+/ba*" { capabilities = ["read"] }', 'path "foo/+/bar" { capabilities = ["list"] }');
    expect(b.capabilities('foo/x/bar')).toEqual(['list']);
  });

  it('fewer + segments beat more', () => {
    const a = acl('path "foo/+/+/baz" { capabilities = ["read"] }', 'path "foo/+/bar/baz" { capabilities = ["list"] }');
    expect(a.capabilities('foo/x/bar/baz')).toEqual(['list']);
  });

  it('the longer pattern beats the shorter', () => {
    const a = acl('path "foo/+/bar/b*" { capabilities = ["read"] }', 'path "foo/+/bar/ba*" { capabilities = ["list"] }');
    expect(a.capabilities('foo/x/bar/baz')).toEqual(['list']);
    const prefixes = acl('path "secret/*" { capabilities = ["read"] }', 'path "secret/team/*" { capabilities = ["list"] }');
    expect(prefixes.capabilities('secret/team/a')).toEqual(['list']);
    expect(prefixes.capabilities('secret/other')).toEqual(['read']);
  });

  it('finally the lexicographically larger pattern wins', () => {
    // Same first wildcard (2), neither ends in *, two + each, same length:
    // only the text differs, and "k/+/x/+" > "k/+/+/x" ('x' sorts after '+').
    const a = acl('path "k/+/x/+" { capabilities = ["read"] }', 'path "k/+/+/x" { capabilities = ["list"] }');
    expect(a.capabilities('k/a/x/x')).toEqual(['read']);
    // The order the policies come in does not matter.
    const b = acl('path "k/+/+/x" { capabilities = ["list"] }', 'path "k/+/x/+" { capabilities = ["read"] }');
    expect(b.capabilities('k/a/x/x')).toEqual(['read']);
  });
});

describe('Acl merging and decisions', () => {
  it('merges the same pattern across policies (union)', () => {
    const a = acl('path "secret/*" { capabilities = ["read"] }', 'path "secret/*" { capabilities = ["list", "update"] }');
    expect(a.capabilities('secret/x')).toEqual(['list', 'read', 'update']);
  });

  it('a deny in any merged rule makes the pattern deny', () => {
    for (const order of [0, 1]) {
      const texts = ['path "secret/*" { capabilities = ["read", "list"] }', 'path "secret/*" { capabilities = ["deny"] }'];
      const a = acl(...(order ? texts.reverse() : texts));
      expect(a.capabilities('secret/x')).toEqual(['deny']);
      expect(a.allows('secret/x', 'read')).toBe(false);
    }
  });

  it('merges duplicate patterns within one policy too', () => {
    const a = acl('path "a" { capabilities = ["read"] }\npath "a" { capabilities = ["list"] }');
    expect(a.capabilities('a')).toEqual(['list', 'read']);
  });

  it('sys/policy/* with sudo allows sudo, others do not', () => {
    const a = acl('path "sys/policy/*" { capabilities = ["read", "update", "sudo"] }', 'path "sys/*" { capabilities = ["read"] }');
    expect(a.allows('sys/policy/dev', 'sudo')).toBe(true);
    expect(a.allows('sys/mounts', 'sudo')).toBe(false);
    expect(a.capabilities('sys/policy/dev')).toEqual(['read', 'sudo', 'update']);
  });

  it('root allows everything', () => {
    const root = new Acl([], { root: true });
    expect(root.capabilities('anything/at/all')).toEqual(['root']);
    expect(root.allows('sys/raw/x', 'sudo')).toBe(true);
    const byName = new Acl([{ name: 'root', raw: '', rules: [] }]);
    expect(byName.allows('secret/x', 'delete')).toBe(true);
  });

  it('an empty policy set grants nothing', () => {
    const none = new Acl([]);
    expect(none.capabilities('secret/x')).toEqual([]);
    for (const cap of ['create', 'read', 'update', 'delete', 'list', 'sudo', 'patch'] as const) {
      expect(none.allows('secret/x', cap)).toBe(false);
    }
  });

  it('LIST on a trailing-slash path also matches the pattern without it', () => {
    const a = acl('path "secret/metadata" { capabilities = ["list"] }');
    expect(a.allows('secret/metadata/', 'list')).toBe(true);
    expect(a.capabilities('secret/metadata/')).toEqual(['list']);
    expect(a.allows('secret/metadata/', 'read')).toBe(false);
  });
});

describe('default policy', () => {
  const a = new Acl([defaultPolicy()]);

  it('parses and lets a token manage itself, its cubbyhole and wrapping', () => {
    expect(a.allows('auth/token/lookup-self', 'read')).toBe(true);
    expect(a.allows('auth/token/renew-self', 'update')).toBe(true);
    expect(a.allows('auth/token/revoke-self', 'update')).toBe(true);
    expect(a.allows('sys/capabilities-self', 'update')).toBe(true);
    expect(a.allows('cubbyhole/my/secret', 'create')).toBe(true);
    expect(a.allows('cubbyhole/my/secret', 'delete')).toBe(true);
    for (const p of ['sys/wrapping/wrap', 'sys/wrapping/lookup', 'sys/wrapping/unwrap', 'sys/tools/hash', 'sys/tools/hash/sha2-256',
      'sys/control-group/request', 'sys/leases/lookup', 'sys/leases/renew']) {
      expect(a.allows(p, 'update'), p).toBe(true);
    }
    expect(a.allows('sys/internal/ui/resultant-acl', 'read')).toBe(true);
  });

  it('grants nothing else', () => {
    expect(a.capabilities('secret/data/x')).toEqual([]);
    expect(a.allows('auth/token/create', 'update')).toBe(false);
    expect(a.allows('sys/policy/default', 'update')).toBe(false);
    expect(a.allows('auth/token/lookup-self', 'update')).toBe(false);
  });

  it('is exported as HCL text', () => {
    expect(DEFAULT_POLICY_HCL).toContain('path "cubbyhole/*"');
  });
});

// Cases taken from the behaviour Vault's own ACL tests pin down (vault/acl_test.go),
// re-expressed here so Coffer answers the same way.
describe('Vault conformance', () => {
  const base = `
    path "dev/*" { policy = "sudo" }
    path "stage/*" { policy = "write" }
    path "stage/aws/*" {
      policy = "read"
      capabilities = ["update", "sudo"]
    }
    path "prod/*" { policy = "read" }
    path "prod/aws/*" { policy = "deny" }
    path "foo/bar" { capabilities = ["read", "create", "sudo"] }
    path "test/+/segment" { capabilities = ["read"] }
    path "+/segment/at/front" { capabilities = ["read"] }
    path "test/segment/at/end/+" { capabilities = ["read"] }
    path "test/segment/at/end/v2/+/" { capabilities = ["read"] }
    path "test/+/wildcard/+/*" { capabilities = ["read"] }
    path "1/2/*" { capabilities = ["create"] }
    path "1/2/+" { capabilities = ["read"] }
    path "1/2/+/+" { capabilities = ["update"] }
  `;
  const layer = `
    path "dev/hide/*" { policy = "deny" }
    path "stage/aws/policy/*" {
      policy = "deny"
      capabilities = ["read", "update", "sudo"]
    }
    path "prod/*" { policy = "write" }
    path "foo/bar" { capabilities = ["deny"] }
  `;

  it('single policy', () => {
    const a = acl(base);
    const cases: [string, Parameters<Acl['allows']>[1], boolean][] = [
      ['dev/foo', 'update', true],
      ['dev/foo', 'sudo', true],
      ['stage/foo', 'delete', true],
      ['stage/aws/foo', 'list', true],
      ['stage/aws/foo', 'sudo', true],
      ['stage/aws/foo', 'delete', false],
      ['prod/foo', 'delete', false],
      ['prod/foo', 'read', true],
      ['prod/aws/foo', 'read', false],
      ['foo/bar', 'read', true],
      ['foo/bar', 'list', false],
      ['test/foo/bar/segment', 'read', false],
      ['test/foo/segment', 'read', true],
      ['test/segment/at/frond', 'read', false],
      ['test/segment/at/front', 'read', true],
      ['test/segment/at/end/foo', 'read', true],
      ['test/segment/at/end/foo/', 'read', false],
      ['test/segment/at/end/v2/foo/', 'read', true],
      ['test/segment/wildcard/at/foo/', 'read', true],
      ['test/segment/wildcard/at/end', 'read', true],
      ['1/2/3/4', 'read', false],
      ['1/2/3', 'read', true],
      ['1/2/3', 'update', false],
      ['1/2/3/4', 'update', true],
      ['1/2/3/4/5', 'create', true],
    ];
    for (const [path, cap, want] of cases) expect(a.allows(path, cap), `${cap} ${path}`).toBe(want);
  });

  it('layered policies', () => {
    const a = acl(base, layer);
    expect(a.allows('dev/foo', 'update')).toBe(true);
    expect(a.allows('dev/hide/foo', 'read')).toBe(false);
    expect(a.allows('stage/aws/policy/foo', 'update')).toBe(false);
    expect(a.capabilities('stage/aws/policy/foo')).toEqual(['deny']);
    expect(a.allows('prod/foo', 'update')).toBe(true);
    expect(a.allows('prod/aws/foo', 'read')).toBe(false);
    expect(a.allows('foo/bar', 'read')).toBe(false);
    expect(a.capabilities('stage/aws/test')).toEqual(['list', 'read', 'sudo', 'update']);
  });
});

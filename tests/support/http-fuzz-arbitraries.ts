import fc from 'fast-check';

// fast-check arbitraries for HTTP requests to a Coffer API: real route
// prefixes with fuzzed tails, Vault's verbs and nonsense ones, Vault's headers
// with hostile values, bodies from valid JSON to garbage. Everything stays
// valid HTTP/1.1 framing (the parser-level cases live in http-edges.test.ts),
// so each case reaches the API handler.

export interface FuzzRequest {
  method: string;
  /** Request target, already percent-encoded as far as HTTP requires. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const ROUTES = [
  'sys/health', 'sys/seal-status', 'sys/init', 'sys/unseal', 'sys/leader', 'sys/key-status', 'sys/mounts', 'sys/mounts/fuzz',
  'sys/mounts/secret/tune', 'sys/auth', 'sys/auth/fuzz', 'sys/policy', 'sys/policy/default', 'sys/policies/acl', 'sys/policies/acl/fuzz',
  'sys/capabilities', 'sys/capabilities-self', 'sys/capabilities-accessor', 'sys/internal/ui/mounts', 'sys/internal/ui/mounts/secret',
  'sys/internal/ui/resultant-acl', 'sys/leases/lookup', 'sys/leases/renew', 'sys/tools/hash', 'sys/tools/hash/sha2-256', 'sys/tools/random',
  'sys/tools/random/32', 'sys/wrapping/wrap', 'sys/wrapping/unwrap', 'sys/wrapping/lookup', 'sys/wrapping/rewrap', 'sys/generate-root/attempt',
  'sys/generate-root/update', 'sys/replication/status', 'sys/replication/dr/status', 'sys/replication/performance/status',
  'sys/replication/dr/secondary/promote', 'sys/replication/dr/secondary/generate-operation-token/attempt', 'sys/locked-users',
  'sys/metrics', 'sys/raw/x', 'sys/rotate', 'sys/config/cors', 'sys/replication/status/feed',
  'auth/token/create', 'auth/token/create-orphan', 'auth/token/create/fuzzrole', 'auth/token/lookup', 'auth/token/lookup-self',
  'auth/token/lookup-accessor', 'auth/token/renew', 'auth/token/renew-self', 'auth/token/roles', 'auth/token/roles/fuzzrole', 'auth/token/accessors',
  'auth/userpass/users', 'auth/userpass/users/alice', 'auth/userpass/login/alice', 'auth/userpass/users/alice/password',
  'secret/data/fuzz', 'secret/metadata/fuzz', 'secret/delete/fuzz', 'secret/undelete/fuzz', 'secret/destroy/fuzz', 'secret/config', 'secret/subkeys/fuzz',
  'kv1/fuzz', 'cubbyhole/fuzz', 'cubbyhole', 'no/such/mount', '',
];

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z0-9_-]{1,12}$/) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12, unit: 'grapheme' }).map(encodeURIComponent) },
  { weight: 2, arbitrary: fc.constantFrom('..', '.', '', '%2e%2e', '%2E.', '%00', '%2F', '%zz', '%', '%e2%82', '%ff', 'a..b', '~', '*', '+', '%20', 'data', 'metadata', '%25') },
  { weight: 1, arbitrary: fc.string({ minLength: 200, maxLength: 2000, unit: fc.constantFrom('a', 'b', '/') }) },
);

const QUERY_KEYS = ['list', 'version', 'versions', 'cas', 'standbyok', 'perfstandbyok', 'sealedcode', 'uninitcode', 'format', 'help', 'warning', 'x'];
const query = fc.option(
  fc.array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.stringMatching(/^[a-z%0-9]{1,6}$/)), fc.oneof(fc.constantFrom('true', '1', '0', 'false', '', '-1', '99999999999999999999', '%zz', 'abc'), fc.string({ maxLength: 8 }).map(encodeURIComponent))), { maxLength: 3 })
    .map((kv) => '?' + kv.map(([k, v]) => `${k}=${v}`).join('&')),
  { nil: '' },
);

const path = fc
  .tuple(fc.constantFrom(...ROUTES), fc.oneof(fc.constant([]), fc.array(segment, { minLength: 1, maxLength: 4 })), fc.constantFrom('', '', '', '/', '//'), query)
  .map(([route, tail, end, q]) => `/v1/${[route, ...tail].join('/')}${end}${q}`);

const method = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'LIST', 'PATCH', 'HEAD') },
  { weight: 1, arbitrary: fc.constantFrom('OPTIONS', 'FOO', 'get', 'PROPFIND', 'MKCOL', 'PURGE', 'SEARCH') },
);

/** Header values HTTP allows (no CR, LF or NUL). */
const headerValue = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 40, unit: fc.constantFrom(...'abcXYZ019 .-_:/=+,;"\'\\*%'.split('')) }) },
  { weight: 5, arbitrary: fc.constantFrom('', ' ', '0', '-1', '1s', '768h', '99999999h', 'banana', 'hvs.' + 'A'.repeat(24), 'application/json', 'application/merge-patch+json', 'text/plain') },
  { weight: 1, arbitrary: fc.string({ minLength: 1000, maxLength: 4000, unit: fc.constantFrom('a', 'Z', '9') }) },
);

function headers(token: string) {
  const optional = fc.subarray(
    [
      ['X-Vault-Wrap-TTL', fc.oneof(fc.constantFrom('1m', '30s', '768h', '0'), headerValue)],
      ['X-Vault-Wrap-Format', headerValue],
      ['Content-Type', headerValue],
      ['Authorization', fc.oneof(fc.constant(`Bearer ${token}`), headerValue)],
      ['X-Vault-Request', fc.constant('true')],
      ['X-Vault-Namespace', headerValue],
      ['X-Vault-Policy-Override', headerValue],
      ['X-Forwarded-For', headerValue],
      ['Origin', fc.constantFrom('https://evil.example', 'null')],
      ['X-Random', fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/), headerValue)],
    ] as const,
    { maxLength: 3 },
  );
  return fc
    .tuple(fc.oneof({ weight: 6, arbitrary: fc.constant(token) }, { weight: 1, arbitrary: headerValue }, { weight: 1, arbitrary: fc.constant(undefined) }), optional)
    .chain(([t, picks]) =>
      fc.tuple(...picks.map(([, arb]) => arb as fc.Arbitrary<unknown>)).map((values) => {
        const h: Record<string, string> = t === undefined ? {} : { 'X-Vault-Token': t };
        picks.forEach(([name], i) => {
          const v = values[i];
          if (Array.isArray(v)) h[v[0] as string] = v[1] as string;
          else h[name] = v as string;
        });
        return h;
      }),
    );
}

const FIELDS = ['data', 'options', 'type', 'policy', 'policies', 'ttl', 'max_ttl', 'period', 'num_uses', 'token', 'accessor', 'key', 'keys', 'secret_shares',
  'secret_threshold', 'password', 'username', 'cas', 'versions', 'config', 'description', 'local', 'no_parent', 'renewable', 'explicit_max_ttl',
  'increment', 'lease_id', 'path', 'paths', 'capabilities', 'format', 'algorithm', 'input', 'nonce', 'otp', 'pgp_key', 'id', 'role_name', 'meta',
  'display_name', 'entity_alias', 'allowed_policies', 'disallowed_policies', 'orphan', 'token_type', 'name', 'rules', 'max_versions', 'delete_version_after', 'cas_required'];

const value = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(-1, 0, 1e308, -1e308, 2 ** 53, '1h', '-5s', '0', '', 'root', 'default', 'path "*" { capabilities = ["sudo"] }', [], {}, null, true),
);

const body = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 5, arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 5 }).map((o) => Buffer.from(JSON.stringify(o))) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v))) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((n) => Buffer.from(`{"data":${'['.repeat(n)}${']'.repeat(n)}}`)) },
);

export function fuzzRequest(token: string): fc.Arbitrary<FuzzRequest> {
  return fc.record({ method, target: path, headers: headers(token), body });
}

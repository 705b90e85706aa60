import { parseDuration } from '../auth/duration';
import { VaultError } from '../errors';
import { HclSyntaxError, labelledBlocks, parseHcl, type HclObject } from '../hcl';
import { patternProblem } from './policy-match';
import { hasParameterRules, ParameterRuleError, parseParameterMap, parseRequiredParameters, type ParameterRules } from './policy-params';
import { wrapRequired, type WrapTtlBounds } from './wrap-ttl';

// Vault ACL policies: parse HCL1/JSON policy text once, when written, into
// path rules that ./acl.ts compiles. Semantics follow vault/policy.go.

export type Capability = 'create' | 'read' | 'update' | 'delete' | 'list' | 'sudo' | 'deny' | 'patch';
export interface PathRule {
  path: string;
  capabilities: Capability[];
  /** allowed/denied/required_parameters; absent when the rule has none. */
  params?: ParameterRules;
  /** min/max_wrapping_ttl; absent when the rule has none. */
  wrapTtl?: WrapTtlBounds;
}
export interface Policy {
  name: string;
  raw: string;
  rules: PathRule[];
}

export const ROOT_POLICY_NAME = 'root';
export const DEFAULT_POLICY_NAME = 'default';

const CAPABILITIES: readonly Capability[] = ['create', 'read', 'update', 'delete', 'list', 'sudo', 'deny', 'patch'];

// The older `policy = "..."` shorthand, expanded the way Vault does.
const LEGACY_POLICY: Record<string, Capability[]> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'delete', 'list', 'sudo'],
};

const TOP_LEVEL_KEYS = new Set(['name', 'path']);
// Every key Vault's parser accepts in a path rule (vault/policy.go), minus the
// refused ones below. Anything else is a 400, never a silent ignore.
const RULE_KEYS = new Set([
  'comment',
  'policy',
  'capabilities',
  'allowed_parameters',
  'denied_parameters',
  'required_parameters',
  'min_wrapping_ttl',
  'max_wrapping_ttl',
]);
// Ignoring these would silently grant access a Vault admin meant to gate, so refuse.
const REFUSED_RULE_KEYS = new Set(['mfa_methods', 'control_group']);

const fail = (msg: string) => new VaultError('invalid_request', `failed to parse policy: ${msg}`);

/** Parse a policy document. Throws VaultError(invalid_request) naming the problem. */
export function parsePolicy(name: string, text: string): Policy {
  let doc: HclObject;
  try {
    doc = parseHcl(text);
  } catch (err) {
    if (err instanceof HclSyntaxError) throw new VaultError('invalid_request', `failed to parse policy: ${err.message}`, { cause: err });
    throw err;
  }
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL_KEYS.has(key)) throw fail(`invalid key "${key}"`);
  }
  const rules: PathRule[] = [];
  if (doc.path !== undefined) {
    const blocks = labelledBlocks(doc.path);
    if (!blocks) throw fail('"path" must be a block: path "<pattern>" { capabilities = [...] }');
    for (const { label, body } of blocks) rules.push(parseRule(label, body));
  }
  return { name, raw: text, rules };
}

function parseRule(label: string, body: HclObject): PathRule {
  const where = `path "${label}"`;
  for (const key of Object.keys(body)) {
    if (REFUSED_RULE_KEYS.has(key)) throw fail(`${where}: ${key} is not supported by Coffer`);
    if (!RULE_KEYS.has(key)) throw fail(`${where}: invalid key "${key}"`);
  }
  const path = label.replace(/^\/+/, '');
  const problem = patternProblem(path);
  if (problem) throw fail(`${where}: ${problem}`);

  if (body.capabilities === undefined && body.policy === undefined) {
    throw fail(`${where}: missing capabilities`);
  }
  const caps: Capability[] = [];
  if (body.capabilities !== undefined) {
    if (!Array.isArray(body.capabilities)) throw fail(`${where}: capabilities must be a list of strings`);
    for (const c of body.capabilities) {
      if (typeof c !== 'string' || !CAPABILITIES.includes(c as Capability)) {
        throw fail(`${where}: invalid capability ${JSON.stringify(c)}`);
      }
      caps.push(c as Capability);
    }
  }
  if (body.policy !== undefined) {
    const legacy = typeof body.policy === 'string' ? LEGACY_POLICY[body.policy] : undefined;
    if (!legacy) throw fail(`${where}: invalid policy ${JSON.stringify(body.policy)}`);
    caps.push(...legacy);
  }
  // A deny anywhere in the rule makes the rule deny only.
  const capabilities: Capability[] = caps.includes('deny') ? ['deny'] : [...new Set(caps)];
  const rule: PathRule = { path, capabilities };
  const params = parseParams(where, body);
  if (hasParameterRules(params)) rule.params = params;
  const wrapTtl = parseWrapBounds(where, body);
  if (wrapRequired(wrapTtl)) rule.wrapTtl = wrapTtl;
  return rule;
}

function parseParams(where: string, body: HclObject): ParameterRules {
  try {
    return {
      allowed: body.allowed_parameters === undefined ? new Map() : parseParameterMap(body.allowed_parameters, 'allowed_parameters'),
      denied: body.denied_parameters === undefined ? new Map() : parseParameterMap(body.denied_parameters, 'denied_parameters'),
      required: body.required_parameters === undefined ? [] : parseRequiredParameters(body.required_parameters),
    };
  } catch (err) {
    if (err instanceof ParameterRuleError) throw fail(`${where}: ${err.message}`);
    throw err;
  }
}

function parseWrapBounds(where: string, body: HclObject): WrapTtlBounds {
  const seconds = (key: 'min_wrapping_ttl' | 'max_wrapping_ttl') => {
    try {
      return parseDuration(body[key], key);
    } catch (err) {
      throw fail(`${where}: error parsing ${key}: ${(err as Error).message}`);
    }
  };
  const bounds = { min: seconds('min_wrapping_ttl'), max: seconds('max_wrapping_ttl') };
  if (bounds.min && bounds.max && bounds.max < bounds.min) throw fail(`${where}: max_wrapping_ttl cannot be less than min_wrapping_ttl`);
  return bounds;
}

// The "default" policy every token gets unless created with no_default_policy:
// enough for a token to manage itself, its cubbyhole and response wrapping.
// Equivalent to Vault's built-in default (vault/policy_store.go), minus the
// identity-templated entity paths, which Coffer does not template.
export const DEFAULT_POLICY_HCL = `# A token may read, renew and revoke itself.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}
path "auth/token/revoke-self" {
  capabilities = ["update"]
}

# A token may ask what it can do on a path.
path "sys/capabilities-self" {
  capabilities = ["update"]
}

# The UI reads the token's merged ACL to decide what to show.
path "sys/internal/ui/resultant-acl" {
  capabilities = ["read"]
}

# Lease renewal (old and new paths) and lookup of a known lease ID.
path "sys/renew" {
  capabilities = ["update"]
}
path "sys/leases/renew" {
  capabilities = ["update"]
}
path "sys/leases/lookup" {
  capabilities = ["update"]
}

# Each token's private cubbyhole.
path "cubbyhole/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

# Response wrapping: wrap a value, inspect and unwrap a wrapping token.
path "sys/wrapping/wrap" {
  capabilities = ["update"]
}
path "sys/wrapping/lookup" {
  capabilities = ["update"]
}
path "sys/wrapping/unwrap" {
  capabilities = ["update"]
}

# Hashing helper.
path "sys/tools/hash" {
  capabilities = ["update"]
}
path "sys/tools/hash/*" {
  capabilities = ["update"]
}

# Lets a token ask for control-group authorization.
path "sys/control-group/request" {
  capabilities = ["update"]
}
`;

/** The default policy, parsed. */
export function defaultPolicy(): Policy {
  return parsePolicy(DEFAULT_POLICY_NAME, DEFAULT_POLICY_HCL);
}

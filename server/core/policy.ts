import { VaultError } from '../errors';
import { HclSyntaxError, labelledBlocks, parseHcl, type HclObject } from '../hcl';
import { compilePattern, matchWildcard, moreSpecific, patternProblem, type PathPattern, type WildcardHit } from './policy-match';

// Vault ACL policies: parse HCL1/JSON policy text once, when written, then
// answer "what may this token do on this path" from the compiled Acl.
// Semantics follow vault/policy.go (parsing) and vault/acl.go (matching).

export type Capability = 'create' | 'read' | 'update' | 'delete' | 'list' | 'sudo' | 'deny' | 'patch';
export interface PathRule {
  path: string;
  capabilities: Capability[];
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
// Accepted so Vault policies load unchanged; Coffer does not enforce them yet.
const IGNORED_RULE_KEYS = new Set([
  'comment',
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
    if (key !== 'capabilities' && key !== 'policy' && !IGNORED_RULE_KEYS.has(key)) {
      throw fail(`${where}: invalid key "${key}"`);
    }
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
  return { path, capabilities };
}

interface MergedRule {
  pattern: PathPattern;
  caps: Set<Capability>;
}

/**
 * The effective permissions of a set of policies. Rules with the same pattern
 * are merged (union; any deny makes the pattern deny); for a request path the
 * most specific matching pattern alone decides.
 */
export class Acl {
  readonly root: boolean;
  private readonly exact = new Map<string, MergedRule>();
  private readonly wildcard = new Map<string, MergedRule>();

  constructor(policies: Policy[], opts?: { root?: boolean }) {
    this.root = opts?.root === true || policies.some((p) => p.name === ROOT_POLICY_NAME);
    for (const policy of policies) {
      for (const rule of policy.rules) this.add(rule);
    }
  }

  private add(rule: PathRule): void {
    const pattern = compilePattern(rule.path);
    const table = pattern.kind === 'exact' ? this.exact : this.wildcard;
    const existing = table.get(pattern.pattern);
    if (!existing) {
      table.set(pattern.pattern, { pattern, caps: new Set(denyOnly(rule.capabilities)) });
      return;
    }
    if (existing.caps.has('deny')) return;
    if (rule.capabilities.includes('deny')) {
      existing.caps = new Set(['deny']);
      return;
    }
    for (const c of rule.capabilities) existing.caps.add(c);
  }

  /**
   * Capabilities the policies grant on this request path (no leading slash,
   * e.g. "secret/data/foo"), sorted. Root ⇒ ['root']; denied ⇒ ['deny'];
   * nothing matches ⇒ [] (Vault's sys/capabilities reports that as ['deny']).
   */
  capabilities(path: string): string[] {
    if (this.root) return ['root'];
    const caps = this.lookup(path, true);
    if (!caps) return [];
    if (caps.has('deny')) return ['deny'];
    return [...caps].sort();
  }

  /** Root allows everything; deny wins; otherwise the winning pattern must grant cap. */
  allows(path: string, cap: Capability): boolean {
    if (this.root) return true;
    if (cap === 'deny') return false;
    const caps = this.lookup(path, cap === 'list');
    return !!caps && !caps.has('deny') && caps.has(cap);
  }

  /**
   * The winning pattern's capabilities, or null when nothing matches. For
   * lists, as in Vault, a trailing slash is also tried without it, since
   * `LIST secret/metadata/` is commonly granted as `secret/metadata`.
   */
  private lookup(rawPath: string, isList: boolean): Set<Capability> | null {
    const path = rawPath.replace(/^\/+/, '');
    const exact = this.exact.get(path) ?? (isList ? this.exact.get(stripSlash(path)) : undefined);
    if (exact) return exact.caps;
    if (isList && path.endsWith('/')) {
      const hit = this.bestWildcard(stripSlash(path));
      if (hit) return hit;
    }
    return this.bestWildcard(path);
  }

  private bestWildcard(path: string): Set<Capability> | null {
    let best: (WildcardHit & { caps: Set<Capability> }) | null = null;
    for (const rule of this.wildcard.values()) {
      const wildcards = matchWildcard(rule.pattern, path);
      if (wildcards < 0) continue;
      const hit = { pattern: rule.pattern, wildcards, caps: rule.caps };
      if (!best || moreSpecific(hit, best) > 0) best = hit;
    }
    return best?.caps ?? null;
  }
}

const stripSlash = (p: string) => (p.endsWith('/') ? p.slice(0, -1) : p);
const denyOnly = (caps: Capability[]): Capability[] => (caps.includes('deny') ? ['deny'] : caps);

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

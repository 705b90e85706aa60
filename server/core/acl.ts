import type { Capability, PathRule, Policy } from './policy';
import { ROOT_POLICY_NAME } from './policy';
import { compilePattern, matchWildcard, moreSpecific, type PathPattern, type WildcardHit } from './policy-match';
import { checkParameters, mergeParameterRules, NO_PARAMETER_RULES, type ParameterRules } from './policy-params';
import type { Operation } from './request';
import { mergeWrapBounds, NO_WRAP_BOUNDS, wrapRequired, wrapTtlProblem, type WrapTtlBounds } from './wrap-ttl';

// The compiled ACL of a set of policies: "what may this token do on this
// path, with this data and this wrap TTL". Semantics follow vault/acl.go.

interface MergedRule {
  pattern: PathPattern;
  caps: Set<Capability>;
  params: ParameterRules;
  wrapTtl: WrapTtlBounds;
}

/** What the ACL says about one request. `reason` is for logs; clients only see "permission denied". */
export type AclDecision = { allowed: true; sudo: boolean; wrapRequired: boolean } | { allowed: false; reason: string };

export interface AclRequest {
  /** Request path without a leading slash, e.g. "secret/data/foo". */
  path: string;
  operation: Operation;
  data?: Readonly<Record<string, unknown>>;
  /** The requested X-Vault-Wrap-TTL in seconds, if any. */
  wrapTtl?: number;
}

const ALLOWED: AclDecision = Object.freeze({ allowed: true, sudo: false, wrapRequired: false });
const ALLOWED_SUDO: AclDecision = Object.freeze({ allowed: true, sudo: true, wrapRequired: false });
const SLASH = 0x2f;

// Vault checks parameters on the operations that can carry them (vault/acl.go).
const PARAMETER_CHECKED: ReadonlySet<Operation> = new Set(['read', 'create', 'update', 'patch']);

/**
 * The effective permissions of a set of policies. Rules with the same pattern
 * are merged as vault/acl.go does (capabilities union, any deny makes the
 * pattern deny; parameter rules and wrap-TTL bounds merged); for a request
 * path the most specific matching pattern alone decides.
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
    const params = rule.params ?? NO_PARAMETER_RULES;
    const wrapTtl = rule.wrapTtl ?? NO_WRAP_BOUNDS;
    if (!existing) {
      table.set(pattern.pattern, { pattern, caps: new Set(denyOnly(rule.capabilities)), params, wrapTtl });
      return;
    }
    if (existing.caps.has('deny')) return;
    if (rule.capabilities.includes('deny')) {
      existing.caps = new Set(['deny']);
      existing.params = NO_PARAMETER_RULES;
      return;
    }
    for (const c of rule.capabilities) existing.caps.add(c);
    existing.params = mergeParameterRules(existing.params, params);
    existing.wrapTtl = mergeWrapBounds(existing.wrapTtl, wrapTtl);
  }

  /**
   * The one decision for a request, as vault/acl.go AllowOperation makes it:
   * the winning pattern must grant the operation's capability, the wrap TTL
   * must sit inside its wrapping bounds, and the data must pass its parameter
   * rules. Root allows everything.
   */
  authorize(req: AclRequest): AclDecision {
    if (this.root) return ALLOWED_SUDO;
    const rule = this.lookup(req.path, req.operation === 'list');
    if (!rule) return { allowed: false, reason: 'no policy grants this path' };
    if (rule.caps.has('deny')) return { allowed: false, reason: 'denied by policy' };
    if (!rule.caps.has(req.operation)) return { allowed: false, reason: `no ${req.operation} capability` };
    const wrapProblem = wrapTtlProblem(rule.wrapTtl, req.wrapTtl);
    if (wrapProblem) return { allowed: false, reason: wrapProblem };
    if (PARAMETER_CHECKED.has(req.operation)) {
      const paramProblem = checkParameters(rule.params, req.data ?? {});
      if (paramProblem) return { allowed: false, reason: paramProblem };
    }
    if (rule.wrapTtl === NO_WRAP_BOUNDS) return rule.caps.has('sudo') ? ALLOWED_SUDO : ALLOWED; // the common rule: no allocation per request
    return { allowed: true, sudo: rule.caps.has('sudo'), wrapRequired: wrapRequired(rule.wrapTtl) };
  }

  /**
   * Capabilities the policies grant on this request path (no leading slash,
   * e.g. "secret/data/foo"), sorted. Root ⇒ ['root']; denied ⇒ ['deny'];
   * nothing matches ⇒ [] (Vault's sys/capabilities reports that as ['deny']).
   */
  capabilities(path: string): string[] {
    if (this.root) return ['root'];
    const caps = this.lookup(path, true)?.caps;
    if (!caps) return [];
    if (caps.has('deny')) return ['deny'];
    return [...caps].sort();
  }

  /**
   * Whether the policies grant anything at or under a mount path (Vault's
   * hasMountAccess, for the unauthenticated sys/internal/ui/mounts/<path>
   * preflight the CLI's kv commands make): the mount path itself, any rule
   * written under it, or a `+` rule whose literal part reaches into it. A rule
   * that only denies grants nothing.
   */
  hasAccessUnder(mountPath: string): boolean {
    if (this.root) return true;
    const own = this.lookup(mountPath, false)?.caps;
    if (own && !own.has('deny') && own.size > 0) return true;
    const grants = (r: MergedRule) => !r.caps.has('deny') && r.caps.size > 0;
    for (const r of this.exact.values()) if (r.pattern.stem.startsWith(mountPath) && grants(r)) return true;
    for (const r of this.wildcard.values()) {
      if (!grants(r)) continue;
      if (r.pattern.stem.startsWith(mountPath) || r.pattern.literal.startsWith(mountPath)) return true;
      if (r.pattern.kind !== 'prefix' && mountPath.startsWith(r.pattern.literal)) return true;
    }
    return false;
  }

  /** Root allows everything; deny wins; otherwise the winning pattern must grant cap. */
  allows(path: string, cap: Capability): boolean {
    if (this.root) return true;
    if (cap === 'deny') return false;
    const caps = this.lookup(path, cap === 'list')?.caps;
    return !!caps && !caps.has('deny') && caps.has(cap);
  }

  /**
   * The winning pattern's merged rule, or null when nothing matches. For
   * lists, as in Vault, a trailing slash is also tried without it, since
   * `LIST secret/metadata/` is commonly granted as `secret/metadata`.
   */
  private lookup(rawPath: string, isList: boolean): MergedRule | null {
    const path = rawPath.charCodeAt(0) === SLASH ? rawPath.replace(/^\/+/, '') : rawPath;
    const exact = this.exact.get(path) ?? (isList ? this.exact.get(stripSlash(path)) : undefined);
    if (exact) return exact;
    if (isList && path.endsWith('/')) {
      const hit = this.bestWildcard(stripSlash(path));
      if (hit) return hit;
    }
    return this.bestWildcard(path);
  }

  private bestWildcard(path: string): MergedRule | null {
    let best: (WildcardHit & { rule: MergedRule }) | null = null;
    for (const rule of this.wildcard.values()) {
      const wildcards = matchWildcard(rule.pattern, path);
      if (wildcards < 0) continue;
      const hit = { pattern: rule.pattern, wildcards, rule };
      if (!best || moreSpecific(hit, best) > 0) best = hit;
    }
    return best?.rule ?? null;
  }
}

const stripSlash = (p: string) => (p.endsWith('/') ? p.slice(0, -1) : p);
const denyOnly = (caps: Capability[]): Capability[] => (caps.includes('deny') ? ['deny'] : caps);

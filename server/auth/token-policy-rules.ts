import { badRequest } from '../errors';

// Which policies a new token may carry (vault/token_store.go
// handleCreateCommon; sdk/helper/policyutil SanitizePolicies). Every token
// creation path (auth/token/create, create-orphan, create/:role) asks this one
// pure function, so the rules cannot drift between paths.
//
// One rule is stricter than Vault: a role that sets only disallowed policies
// does not widen what the parent may hand out. In Vault such a role accepts
// any policy not disallowed; here the child stays within its parent's
// policies, so a token allowed to call a role cannot mint policies it lacks.

/** Policies no token may carry (Vault's nonAssignablePolicies). */
export const NON_ASSIGNABLE_POLICIES = ['response-wrapping', 'control-group'];

export interface PolicyParent {
  policies: string[];
  /** The caller holds sudo on the creation path (root implies it). */
  sudo: boolean;
}

export interface PolicyRole {
  allowed: string[];
  disallowed: string[];
  allowedGlob: string[];
  disallowedGlob: string[];
  noDefaultPolicy: boolean;
}

export interface PolicyRequest {
  /** Requested policies; empty or absent means "inherit". */
  policies?: string[];
  noDefaultPolicy: boolean;
}

/** Trim, lower-case, drop blanks and duplicates, sort; `root` absorbs the rest; optionally add `default`. */
export function sanitizePolicies(list: readonly string[], addDefault: boolean): string[] {
  const set = new Set(list.map((p) => p.trim().toLowerCase()).filter(Boolean));
  if (set.has('root')) return ['root'];
  if (addDefault) set.add('default');
  return [...set].sort();
}

/** Trim, lower-case, drop blanks and duplicates (disallowed lists never gain `default`). */
export function normalizeNames(list: readonly string[]): string[] {
  return [...new Set(list.map((p) => p.trim().toLowerCase()).filter(Boolean))].sort();
}

/** go-glob semantics: `*` matches any run of characters, nothing else is special. */
export function globMatch(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === name;
  if (!name.startsWith(parts[0])) return false;
  let at = parts[0].length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = name.indexOf(parts[i], at);
    if (found < 0) return false;
    at = found + parts[i].length;
  }
  const last = parts[parts.length - 1];
  return name.length - at >= last.length && name.endsWith(last);
}

const matchesAny = (names: string[], globs: string[], p: string) => names.includes(p) || globs.some((g) => globMatch(g, p));

function roleSetsPolicies(r: PolicyRole): boolean {
  return r.allowed.length + r.disallowed.length + r.allowedGlob.length + r.disallowedGlob.length > 0;
}

/**
 * The policies of a token created by `parent`, optionally through `role`.
 * Throws a 400 VaultError with Vault's wording when the request asks for more
 * than the rules allow. Never returns `root` unless the parent is root.
 */
export function childPolicies(parent: PolicyParent, request: PolicyRequest, role: PolicyRole | null): string[] {
  const parentPolicies = sanitizePolicies(parent.policies, false);
  const parentRoot = parentPolicies.includes('root');
  const sudo = parent.sudo || parentRoot;
  const asked = sanitizePolicies(request.policies ?? [], false);
  let result: string[];

  if (role && roleSetsPolicies(role)) {
    result = fromRole(parentPolicies, parentRoot, request, asked, normalizedRole(role));
  } else if (!asked.length) {
    result = parentPolicies; // inherit; `default` only if the parent has it
  } else if (!sudo) {
    const outside = asked.filter((p) => !parentPolicies.includes(p));
    if (outside.length) throw badRequest('child policies must be subset of parent');
    result = sanitizePolicies(asked, !request.noDefaultPolicy && parentPolicies.includes('default'));
  } else {
    result = sanitizePolicies(asked, !request.noDefaultPolicy);
  }

  if (request.noDefaultPolicy) result = result.filter((p) => p !== 'default');
  const internal = result.find((p) => NON_ASSIGNABLE_POLICIES.includes(p));
  if (internal) throw badRequest(`cannot assign policy "${internal}"`);
  // Last, on the final set: nothing above may hand out root to a non-root parent.
  if (result.includes('root') && !parentRoot) throw badRequest('root tokens may not be created without parent token being root');
  return result;
}

function normalizedRole(r: PolicyRole): PolicyRole {
  return {
    allowed: sanitizePolicies(r.allowed, false),
    disallowed: normalizeNames(r.disallowed),
    allowedGlob: normalizeNames(r.allowedGlob),
    disallowedGlob: normalizeNames(r.disallowedGlob),
    noDefaultPolicy: r.noDefaultPolicy,
  };
}

function fromRole(parentPolicies: string[], parentRoot: boolean, request: PolicyRequest, asked: string[], role: PolicyRole): string[] {
  const addDefault = !request.noDefaultPolicy && !role.noDefaultPolicy && !matchesAny(role.disallowed, role.disallowedGlob, 'default');
  let result = asked.length ? sanitizePolicies(asked, addDefault) : [];
  if (role.allowed.length || role.allowedGlob.length) {
    const allowed = sanitizePolicies(role.allowed, addDefault);
    if (!result.length) result = allowed;
    else {
      const outside = result.filter((p) => !matchesAny(allowed, role.allowedGlob, p));
      if (outside.length)
        throw badRequest(`token policies (${quoteList(result)}) must be subset of the role's allowed policies (${quoteList(allowed)}) or glob policies (${quoteList(role.allowedGlob)})`);
    }
  } else if (!result.length) {
    result = sanitizePolicies(parentPolicies, addDefault);
  } else if (!parentRoot) {
    // Coffer: without an allowed list the role cannot widen the parent's policies.
    if (result.some((p) => p !== 'default' && !parentPolicies.includes(p))) throw badRequest('child policies must be subset of parent');
  }
  const banned = result.find((p) => matchesAny(role.disallowed, role.disallowedGlob, p));
  if (banned !== undefined) throw badRequest(`token policy "${banned}" is disallowed by this role`);
  return result;
}

const quoteList = (l: string[]) => `[${l.map((p) => JSON.stringify(p)).join(' ')}]`;

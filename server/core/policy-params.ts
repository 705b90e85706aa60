// The parameter rules of an ACL path rule: allowed_parameters,
// denied_parameters and required_parameters. Parsed once when a policy is
// written, merged when several policies name the same pattern, and checked
// against the request data. Semantics follow vault/policy.go (parsing) and
// vault/acl.go (NewACL merge, AllowOperation check, per-element list matching
// as in Vault 1.21+).

/** Values a parameter may (or may not) take; an empty list means any value. */
export type ValueList = readonly unknown[];

export interface ParameterRules {
  /** Lower-cased name → permitted values. Empty map: no restriction. `*` admits any other name. */
  readonly allowed: ReadonlyMap<string, ValueList>;
  /** Lower-cased name → refused values. `*` refuses every request that carries data. */
  readonly denied: ReadonlyMap<string, ValueList>;
  /** Names the request must carry, as written (looked up lower-cased, as Vault does). */
  readonly required: readonly string[];
}

export const NO_PARAMETER_RULES: ParameterRules = { allowed: new Map(), denied: new Map(), required: [] };

export const hasParameterRules = (r: ParameterRules) => r.allowed.size > 0 || r.denied.size > 0 || r.required.length > 0;

/** A problem in a policy's parameter rules; the policy parser turns it into a 400. */
export class ParameterRuleError extends Error {}

/**
 * `allowed_parameters` / `denied_parameters` as HCL1 hands them over: an object,
 * or a list of objects when the block is repeated. Each value must be a list.
 */
export function parseParameterMap(value: unknown, field: string): Map<string, ValueList> {
  const objects = Array.isArray(value) ? value : [value];
  const out = new Map<string, ValueList>();
  for (const obj of objects) {
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new ParameterRuleError(`${field} must be a map of parameter name to a list of values`);
    }
    for (const [key, values] of Object.entries(obj)) {
      const problem = parameterKeyProblem(key);
      if (problem) throw new ParameterRuleError(`${field}: ${problem}`);
      if (!Array.isArray(values)) throw new ParameterRuleError(`${field}: parameter "${key}" must be a list of values`);
      mergeEntry(out, key.toLowerCase(), values);
    }
  }
  return out;
}

export function parseRequiredParameters(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new ParameterRuleError('required_parameters must be a list of parameter names');
  }
  for (const name of value) {
    if (name.includes('*')) throw new ParameterRuleError(`required_parameters: parameter key "${name}": wildcard is not permitted here`);
  }
  return [...new Set(value)];
}

// Vault allows `*` only as the whole key. Keys starting with "/" are JSON
// pointers into nested data in newer Vault; Coffer does not evaluate them, and
// ignoring one in denied_parameters would silently grant, so refuse.
function parameterKeyProblem(key: string): string | null {
  if (key.startsWith('/')) return `parameter key "${key}": JSON-pointer parameter keys are not supported by Coffer`;
  if (key.includes('*') && key !== '*') return `parameter key "${key}" cannot contain non-tail wildcards`;
  return null;
}

/** Vault's merge of one key: an empty list (any value) wins, else the value lists are joined. */
function mergeEntry(into: Map<string, ValueList>, key: string, values: ValueList): void {
  const current = into.get(key);
  if (values.length === 0 || (current !== undefined && current.length === 0)) into.set(key, []);
  else into.set(key, [...values, ...(current ?? [])]);
}

function mergeMaps(existing: ReadonlyMap<string, ValueList>, incoming: ReadonlyMap<string, ValueList>): ReadonlyMap<string, ValueList> {
  if (incoming.size === 0) return existing;
  const out = new Map(existing);
  for (const [key, values] of incoming) mergeEntry(out, key, values);
  return out;
}

/** Rules of two policies for the same pattern, merged as vault/acl.go NewACL does. Returns a new value. */
export function mergeParameterRules(a: ParameterRules, b: ParameterRules): ParameterRules {
  return {
    allowed: mergeMaps(a.allowed, b.allowed),
    denied: mergeMaps(a.denied, b.denied),
    required: [...new Set([...a.required, ...b.required])],
  };
}

/**
 * Why the request data breaks the rules, or null when it is fine. The order is
 * Vault's: required first; empty data passes; denied beats allowed.
 */
export function checkParameters(rules: ParameterRules, data: Readonly<Record<string, unknown>>): string | null {
  for (const name of rules.required) {
    if (!Object.hasOwn(data, name.toLowerCase())) return `required parameter "${name}" is missing`;
  }
  const keys = Object.keys(data);
  if (keys.length === 0) return null;

  if (rules.denied.has('*')) return 'all parameters are denied';
  for (const key of keys) {
    const list = rules.denied.get(key.toLowerCase());
    if (list && deniedValue(data[key], list)) return `parameter "${key}" has a denied value`;
  }

  if (rules.allowed.size === 0) return null;
  const anyName = rules.allowed.has('*');
  if (anyName && rules.allowed.size === 1) return null;
  for (const key of keys) {
    const list = rules.allowed.get(key.toLowerCase());
    if (list === undefined) {
      if (anyName) continue;
      return `parameter "${key}" is not allowed`;
    }
    if (!allowedValue(data[key], list)) return `parameter "${key}" has a value that is not allowed`;
  }
  return null;
}

/** Every element (of a list, or of a comma-separated string) must be in the list. */
function allowedValue(v: unknown, list: ValueList): boolean {
  if (list.length === 0 || inList(v, list)) return true;
  const parts = elementsOf(v);
  return parts !== null && parts.every((p) => inList(p, list));
}

/** Any element (of a list, or of a comma-separated string) in the list denies. */
function deniedValue(v: unknown, list: ValueList): boolean {
  if (list.length === 0 || inList(v, list)) return true;
  const parts = elementsOf(v);
  return parts !== null && parts.some((p) => inList(p, list));
}

// A string may be a comma-separated list field (Vault's TypeCommaStringSlice),
// so it is also judged element by element, trimmed, as parseutil splits it.
// As in Vault, "" splits to no elements.
function elementsOf(v: unknown): unknown[] | null {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return v === '' ? [] : v.split(',').map((s) => s.trim());
  return null;
}

function inList(v: unknown, list: ValueList): boolean {
  return list.some((el) => valueMatches(el, v));
}

// Strings match with Vault's leading/trailing `*` globs; anything else by deep
// equality. Unlike Vault (whose JSON numbers never equal HCL numbers), a
// number matches the same number: a denied numeric value is really denied.
function valueMatches(el: unknown, v: unknown): boolean {
  if (el === null || el === undefined || v === null || v === undefined) return (el ?? null) === (v ?? null);
  if (typeof el === 'string') return typeof v === 'string' && globMatch(el, v);
  return deepEqual(el, v);
}

/** strutil.GlobbedStringsMatch: `*x`, `x*` and `*x*`; a lone `*` is literal. */
export function globMatch(pattern: string, value: string): boolean {
  if (pattern.length < 2) return value === pattern;
  const head = pattern.startsWith('*');
  const tail = pattern.endsWith('*');
  if (head && tail) return value.includes(pattern.slice(1, -1));
  if (head) return value.endsWith(pattern.slice(1));
  if (tail) return value.startsWith(pattern.slice(0, -1));
  return value === pattern;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((x, i) => deepEqual(x, bs[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

// How a policy path pattern matches a request path, and which of several
// matching patterns wins. Semantics follow Vault's vault/acl.go and
// vault/policy.go:
//   - no wildcard: the pattern must equal the path;
//   - a trailing `*`: prefix match;
//   - a `+` segment: exactly one path segment (may combine with a trailing `*`).
// Only the most specific matching pattern applies; see `moreSpecific`.

export type PatternKind = 'exact' | 'prefix' | 'segment';

export interface PathPattern {
  /** The pattern as written in the policy, minus any leading slash. */
  pattern: string;
  kind: PatternKind;
  /** Ends in `*`. */
  isPrefix: boolean;
  /** The pattern without its trailing `*`: what prefix and length checks use. */
  stem: string;
  /** Position of the first wildcard (`+`, or the trailing `*` for a plain prefix). */
  firstWildcard: number;
  /** The text before the first wildcard: every matching path starts with it. */
  literal: string;
  /** stem split on '/', for segment patterns. */
  segments: string[];
}

/** Why a pattern is unusable, or null if it is fine. */
export function patternProblem(pattern: string): string | null {
  if (pattern.includes('+*')) return `invalid use of wildcards ('+*' is forbidden)`;
  return null;
}

export function compilePattern(raw: string): PathPattern {
  const pattern = raw.replace(/^\/+/, '');
  const isPrefix = pattern.endsWith('*');
  const stem = isPrefix ? pattern.slice(0, -1) : pattern;
  // `+` is a wildcard only as a whole segment; Vault flags a pattern as
  // segment-wildcarded by these same three shapes.
  const hasSegmentWildcard = pattern === '+' || pattern.startsWith('+/') || pattern.includes('/+');
  if (hasSegmentWildcard) {
    return {
      pattern,
      kind: 'segment',
      isPrefix,
      stem,
      firstWildcard: pattern.indexOf('+'),
      literal: pattern.slice(0, pattern.indexOf('+')),
      segments: stem.split('/'),
    };
  }
  return {
    pattern,
    kind: isPrefix ? 'prefix' : 'exact',
    isPrefix,
    stem,
    firstWildcard: stem.length,
    literal: stem,
    segments: [],
  };
}

/**
 * Does a non-exact pattern match the path? Returns the number of `+` segments
 * it used (a priority input), or -1 for no match.
 */
export function matchWildcard(p: PathPattern, path: string): number {
  if (p.kind === 'prefix') return path.startsWith(p.stem) ? 0 : -1;
  if (p.kind !== 'segment') return -1;
  // Every ACL check tries each wildcard rule: the literal text before the first `+` rules most paths out without splitting them.
  if (!path.startsWith(p.literal)) return -1;
  const parts = path.split('/');
  const want = p.segments;
  if (parts.length < want.length) return -1;
  if (!p.isPrefix && parts.length !== want.length) return -1;
  let wildcards = 0;
  for (let i = 0; i < want.length; i++) {
    const seg = want[i];
    if (seg === '+') wildcards++;
    else if (seg === parts[i]) continue;
    else if (p.isPrefix && i === want.length - 1 && parts[i].startsWith(seg)) continue;
    else return -1;
  }
  return wildcards;
}

export interface WildcardHit {
  pattern: PathPattern;
  wildcards: number;
}

/**
 * Positive when a is more specific than b. Vault's order, first difference wins:
 * later first wildcard; not ending in `*`; fewer `+` segments; longer pattern;
 * lexicographically larger (an arbitrary but stable tie-break).
 */
export function moreSpecific(a: WildcardHit, b: WildcardHit): number {
  const pa = a.pattern;
  const pb = b.pattern;
  if (pa.firstWildcard !== pb.firstWildcard) return pa.firstWildcard - pb.firstWildcard;
  if (pa.isPrefix !== pb.isPrefix) return pa.isPrefix ? -1 : 1;
  if (a.wildcards !== b.wildcards) return b.wildcards - a.wildcards;
  if (pa.stem.length !== pb.stem.length) return pa.stem.length - pb.stem.length;
  return pa.stem < pb.stem ? -1 : pa.stem > pb.stem ? 1 : 0;
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, matchWildcard } from './policy-match';

// matchWildcard rules a path out by the literal text before a pattern's first
// `+` before it splits the path (the ACL tries every wildcard rule on every
// request). The reference below is the plain segment-by-segment match that
// check must agree with.
function reference(pattern: string, path: string): number {
  const p = compilePattern(pattern);
  if (p.kind === 'prefix') return path.startsWith(p.stem) ? 0 : -1;
  if (p.kind !== 'segment') return -1;
  const parts = path.split('/');
  if (parts.length < p.segments.length || (!p.isPrefix && parts.length !== p.segments.length)) return -1;
  let wildcards = 0;
  for (let i = 0; i < p.segments.length; i++) {
    const seg = p.segments[i];
    if (seg === '+') wildcards++;
    else if (seg === parts[i]) continue;
    else if (p.isPrefix && i === p.segments.length - 1 && parts[i].startsWith(seg)) continue;
    else return -1;
  }
  return wildcards;
}

const segment = fc.constantFrom('a', 'ab', 'b', '+', 'a+', '');
const pathSegment = fc.constantFrom('a', 'ab', 'b', 'abc', '+', '');

describe('matchWildcard', () => {
  it('agrees with a segment-by-segment match for any pattern and path', () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.boolean(), fc.array(pathSegment, { minLength: 1, maxLength: 6 }), (segs, star, pathSegs) => {
        const pattern = segs.join('/') + (star ? '*' : '');
        if (pattern.includes('+*')) return; // refused when a policy is parsed
        const path = pathSegs.join('/');
        expect(matchWildcard(compilePattern(pattern), path)).toBe(reference(pattern, path));
      }),
      { numRuns: 3_000 },
    );
  });

  it('a path that differs before the first + does not match', () => {
    expect(matchWildcard(compilePattern('identity/oidc/provider/+/authorize'), 'secret/data/k1')).toBe(-1);
    expect(matchWildcard(compilePattern('identity/oidc/provider/+/authorize'), 'identity/oidc/provider/p1/authorize')).toBe(1);
  });
});

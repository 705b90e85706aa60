import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VaultError } from '../errors';
import { apiPathOf, PARENT_REFERENCES } from './request-path';

const errorOf = (target: string) => {
  try {
    apiPathOf(target);
  } catch (e) {
    expect(e).toBeInstanceOf(VaultError);
    return { status: (e as VaultError).status, message: (e as Error).message };
  }
  throw new Error(`expected ${target} to be refused`);
};

describe('apiPathOf', () => {
  it('decodes the path and drops the query', () => {
    expect(apiPathOf('/v1/secret/data/a%20b?version=2')).toBe('secret/data/a b');
    expect(apiPathOf('/v1//sys/health')).toBe('sys/health');
    expect(apiPathOf('/v1')).toBe('');
    expect(apiPathOf('/v1/secret/data/./x')).toBe('secret/data/x');
  });

  it('a malformed escape is a 400 naming it, never a URIError', () => {
    expect(errorOf('/v1/secret/%zz')).toEqual({ status: 400, message: 'invalid URL escape "%zz"' });
    expect(errorOf('/v1/secret/a%')).toEqual({ status: 400, message: 'invalid URL escape "%"' });
    expect(errorOf('/v1/secret/%ff').status).toBe(400);
  });

  it('".." anywhere, in any spelling, is a 400', () => {
    for (const t of ['/v1/sys/policies/acl/a..b', '/v1/secret/../sys/raw', '/v1/secret/%2e%2e/sys', '/v1/secret/.%2E/x', '/v1/a/..']) {
      expect(errorOf(t), t).toEqual({ status: 400, message: PARENT_REFERENCES });
    }
  });

  it('property: any target either yields a path without ".." or throws a 400 VaultError', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '.', '/', '%', '2', 'e', 'E', 'z', '?', '#', 'é', '\\') }), (tail) => {
        try {
          expect(apiPathOf('/v1/' + tail)).not.toContain('..');
        } catch (e) {
          expect(e).toBeInstanceOf(VaultError);
          expect((e as VaultError).status).toBe(400);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('property: the plain-path fast path answers what the URL parser answers', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'Z', '0', '_', '-', '/') }), (tail) => {
        const target = '/v1/' + tail;
        expect(apiPathOf(target)).toBe(decodeURIComponent(new URL(target, 'http://coffer').pathname).slice('/v1/'.length).replace(/^\/+/, ''));
      }),
      { numRuns: 2000 },
    );
  });
});

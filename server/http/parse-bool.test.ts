import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VaultError } from '../errors';
import { operationOf } from './operation';
import { GO_BOOL_FORMS, parseGoBool } from './parse-bool';

describe("parseGoBool (Go's strconv.ParseBool)", () => {
  it('takes exactly the true and false spellings of Go', () => {
    for (const s of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(parseGoBool(s)).toBe(true);
    for (const s of ['0', 'f', 'F', 'FALSE', 'false', 'False']) expect(parseGoBool(s)).toBe(false);
  });

  it('refuses near misses', () => {
    for (const s of ['', 'yes', 'no', 'on', 'tRUE', 'fALSE', ' true', 'true ', '01', '2', 'y']) expect(parseGoBool(s)).toBeUndefined();
  });

  it('any string outside the table is refused', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !GO_BOOL_FORMS.includes(s)),
        (s) => parseGoBool(s) === undefined,
      ),
      { numRuns: 2000 },
    );
  });
});

describe('?list= on a GET (operationOf)', () => {
  const op = (v: string) => operationOf('GET', new URLSearchParams({ list: v }));

  it('lists for the true forms, reads for the false forms and for an empty value', () => {
    for (const s of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(op(s)).toBe('list');
    for (const s of ['0', 'f', 'F', 'FALSE', 'false', 'False', '']) expect(op(s)).toBe('read');
    expect(operationOf('GET', new URLSearchParams())).toBe('read');
  });

  it('any other value is a 400 with no message, as Vault answers', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => !GO_BOOL_FORMS.includes(s)),
        (s) => {
          try {
            op(s);
            return false;
          } catch (err) {
            return err instanceof VaultError && err.status === 400 && err.message === '';
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

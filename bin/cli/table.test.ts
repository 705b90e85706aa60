import { describe, it, expect } from 'vitest';
import {
  columnize,
  formatValue,
  headerForMap,
  humanDuration,
  keyValueTable,
  mapRows,
  padEqualSigns,
  quotedList,
  tableOutput,
  wrapAtLength,
} from './table';

describe('table layout (Vault columnize conventions)', () => {
  it('aligns columns with four spaces and never pads the last column', () => {
    expect(columnize([['Nonce', 'abc'], ['Progress', '1/3'], ['Complete', 'false']])).toBe(
      ['Nonce       abc', 'Progress    1/3', 'Complete    false'].join('\n'),
    );
  });

  it('prints empty cells as n/a', () => {
    expect(columnize([['deletion_time', ''], ['destroyed', 'false']])).toBe(
      'deletion_time    n/a\ndestroyed        false',
    );
  });

  it('underlines headers with dashes of the header length', () => {
    expect(keyValueTable([['foo', 'bar']])).toBe('Key    Value\n---    -----\nfoo    bar');
    expect(tableOutput(['Keys'], [['a'], ['b']])).toBe('Keys\n----\na\nb');
  });

  it('measures width in characters, so ∞ and non-ASCII align', () => {
    const out = columnize([['é', 'x'], ['ab', 'y']]);
    expect(out.split('\n').map((l) => l.indexOf(l.trim().split(/\s+/)[1]))).toEqual([6, 6]);
  });
});

describe('formatValue (Go %v of decoded JSON)', () => {
  it('renders null, lists and maps like Go', () => {
    expect(formatValue(null)).toBe('<nil>');
    expect(formatValue(['default', 'superuser'])).toBe('[default superuser]');
    expect(formatValue({ username: 'tester', a: 1 })).toBe('map[a:1 username:tester]');
    expect(formatValue(true)).toBe('true');
    expect(formatValue(42)).toBe('42');
  });

  it('quotes string lists like %q', () => {
    expect(quotedList(['default', 'root'])).toBe('["default" "root"]');
    expect(quotedList(null)).toBe('[]');
  });

  it('sorts map rows and humanises *_ttl numbers only', () => {
    expect(mapRows({ ttl: 2764800, b: 'x', creation_ttl: '1h', a: null })).toEqual([
      ['a', '<nil>'],
      ['b', 'x'],
      ['creation_ttl', '1h'],
      ['ttl', '768h'],
    ]);
  });
});

describe('humanDuration (Go Duration.String without zero units)', () => {
  it.each([
    [0, '0s'],
    [45, '45s'],
    [60, '1m'],
    [90, '1m30s'],
    [3600, '1h'],
    [3630, '1h30s'],
    [5400, '1h30m'],
    [2764800, '768h'],
    [-60, '-1m'],
  ])('%i seconds → %s', (secs, text) => {
    expect(humanDuration(secs)).toBe(text);
  });
});

describe('banners and wrapping', () => {
  it('sizes "== Title ==" banners like Vault', () => {
    expect(padEqualSigns('Secret Path', 'secret/data/myapp'.length)).toBe('== Secret Path ==');
    const metadata = { created_time: 1, custom_metadata: 1, deletion_time: 1, destroyed: 1, version: 1 };
    expect(headerForMap('Metadata', metadata)).toBe('======= Metadata =======');
    expect(headerForMap('Data', { foo: 'bar' })).toBe('=== Data ===');
  });

  it('wraps at 78 columns with optional padding', () => {
    const text =
      '* This cluster is being promoted to a replication primary. Vault will be unavailable for a brief period and will resume service shortly.';
    const out = wrapAtLength(text, 2);
    const lines = out.split('\n');
    expect(lines.length).toBe(2);
    expect(lines.every((l) => l.startsWith('  ') && l.length <= 78)).toBe(true);
    expect(out.replace(/\s+/g, ' ').trim()).toBe(text);
  });
});

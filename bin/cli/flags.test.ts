import { describe, it, expect } from 'vitest';
import { COMMON_FLAGS, HelpRequested, parseFlags, UsageError, type FlagSpecs } from './flags';

const SPECS = {
  ...COMMON_FLAGS,
  force: { kind: 'bool', aliases: ['f'] },
  policy: { kind: 'list' },
  version: { kind: 'int' },
  renewable: { kind: 'bool' },
} as const satisfies FlagSpecs;

describe('parseFlags (Vault/Go flag grammar)', () => {
  it('reads -format=json and -field=NAME with single or double dash', () => {
    const p = parseFlags(['-format=json', '--field=foo', 'secret/x'], SPECS);
    expect(p.flags.format).toBe('json');
    expect(p.flags.field).toBe('foo');
    expect(p.args).toEqual(['secret/x']);
  });

  it('takes the next argument as the value when there is no "="', () => {
    const p = parseFlags(['-field', 'foo', '-address', 'http://h:1', 'p'], SPECS);
    expect(p.flags.field).toBe('foo');
    expect(p.flags.address).toBe('http://h:1');
    expect(p.args).toEqual(['p']);
  });

  it('treats -f as the force alias and bools as bare switches', () => {
    const p = parseFlags(['-f', 'sys/replication/performance/primary/enable'], SPECS);
    expect(p.flags.force).toBe(true);
    expect(p.seen.has('force')).toBe(true);
    expect(p.args).toEqual(['sys/replication/performance/primary/enable']);
  });

  it('accepts explicit bool values and records that they were given', () => {
    const p = parseFlags(['-renewable=false'], SPECS);
    expect(p.flags.renewable).toBe(false);
    expect(p.seen.has('renewable')).toBe(true);
    expect(parseFlags([], SPECS).seen.has('renewable')).toBe(false);
    expect(() => parseFlags(['-renewable=maybe'], SPECS)).toThrow(UsageError);
  });

  it('a bool never swallows the next argument', () => {
    const p = parseFlags(['-force', 'false'], SPECS);
    expect(p.flags.force).toBe(true);
    expect(p.args).toEqual(['false']);
  });

  it('collects repeated list flags in order', () => {
    const p = parseFlags(['-policy=a', '-policy', 'b', '-policy=c'], SPECS);
    expect(p.flags.policy).toEqual(['a', 'b', 'c']);
  });

  it('repeated string flags: last one wins', () => {
    expect(parseFlags(['-format=table', '-format=json'], SPECS).flags.format).toBe('json');
  });

  it('parses ints and rejects junk', () => {
    expect(parseFlags(['-version=3'], SPECS).flags.version).toBe(3);
    expect(() => parseFlags(['-version=three'], SPECS)).toThrow(/invalid value "three" for flag -version/);
  });

  it('stops at the first positional argument and at a lone "-"', () => {
    const p = parseFlags(['superuser', '-', '-format=json'], SPECS);
    expect(p.args).toEqual(['superuser', '-', '-format=json']);
    expect(p.flags.format).toBeUndefined();
    expect(p.warning).toContain('[-format=json]');
    const dash = parseFlags(['-f', '-'], SPECS);
    expect(dash.args).toEqual(['-']);
    expect(dash.warning).toBeUndefined();
  });

  it('"--" ends flag parsing', () => {
    expect(parseFlags(['--', '-format=json'], SPECS).args).toEqual(['-format=json']);
  });

  it('rejects unknown flags and missing values the way Go does', () => {
    expect(() => parseFlags(['-bogus'], SPECS)).toThrow('flag provided but not defined: -bogus');
    expect(() => parseFlags(['-field'], SPECS)).toThrow('flag needs an argument: -field');
    expect(() => parseFlags(['---x'], SPECS)).toThrow(/bad flag syntax/);
  });

  it('signals -h / -help', () => {
    expect(() => parseFlags(['-help'], SPECS)).toThrow(HelpRequested);
    expect(() => parseFlags(['-h'], SPECS)).toThrow(HelpRequested);
  });

  it('keeps an empty value for -name=', () => {
    expect(parseFlags(['-address='], SPECS).flags.address).toBe('');
  });
});

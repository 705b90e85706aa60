import { describe, expect, it } from 'vitest';
import { parseFlags } from '../flags';
import { metadataPutBody } from './kv-metadata-put';
import { rollbackRefusal } from './kv-rollback';
import { secretsTuneCommand, authTuneCommand, tuneBody } from './mount-tune';
import { rekeyStatusRows } from './operator-rekey';

// Argument parsing of the commands issue 10 adds: only what the user gave is
// sent (so a tune or metadata put never resets a setting by omission).
const tuneOf = (argv: string[], auth = false) => {
  const { flags, seen } = parseFlags(argv, (auth ? authTuneCommand : secretsTuneCommand).flags);
  return tuneBody(flags as never, seen);
};

describe('secrets tune / auth tune body', () => {
  it('sends only the flags given', () => {
    expect(tuneOf(['-default-lease-ttl=1h'])).toEqual({ default_lease_ttl: '1h' });
    expect(tuneOf([])).toEqual({});
  });

  it('lists split on commas and repeat; -description= sends an empty description', () => {
    expect(tuneOf(['-audit-non-hmac-request-keys=a,b', '-audit-non-hmac-request-keys=c', '-description='])).toEqual({
      audit_non_hmac_request_keys: ['a', 'b', 'c'],
      description: '',
    });
  });

  it('-version=2 and -options merge into options; auth takes -token-type', () => {
    expect(tuneOf(['-options=x=y', '-version=2'])).toEqual({ options: { x: 'y', version: '2' } });
    expect(tuneOf(['-token-type=batch', '-max-lease-ttl=768h'], true)).toEqual({ token_type: 'batch', max_lease_ttl: '768h' });
    expect(() => tuneOf(['-token-type=batch'])).toThrow(/flag provided but not defined: -token-type/);
  });
});

describe('kv metadata put body', () => {
  const bodyOf = (argv: string[]) => {
    const spec = {
      'max-versions': { kind: 'int' },
      'cas-required': { kind: 'bool' },
      'delete-version-after': { kind: 'string' },
      'custom-metadata': { kind: 'list' },
    } as const;
    const { flags, seen } = parseFlags(argv, spec);
    return metadataPutBody(flags, seen);
  };

  it('sends only what was given; -cas-required=false is sent, its absence is not', () => {
    expect(bodyOf([])).toEqual({});
    expect(bodyOf(['-cas-required=false'])).toEqual({ cas_required: false });
    expect(bodyOf(['-max-versions=0', '-delete-version-after=1h'])).toEqual({ max_versions: 0, delete_version_after: '1h' });
  });

  it('custom metadata is key=value, the value may hold "="', () => {
    expect(bodyOf(['-custom-metadata=a=1', '-custom-metadata=b=x=y'])).toEqual({ custom_metadata: { a: '1', b: 'x=y' } });
    expect(() => bodyOf(['-custom-metadata=novalue'])).toThrow(/expected key=value/);
  });
});

describe('kv rollback', () => {
  it('refuses unknown, deleted and destroyed versions with Vault\'s words', () => {
    const versions = { '1': { deletion_time: '', destroyed: true }, '2': { deletion_time: '2026-01-01T00:00:00Z' }, '3': {} };
    expect(rollbackRefusal(1, versions)).toBe('Cannot roll back to a version that has been destroyed');
    expect(rollbackRefusal(2, versions)).toBe('Cannot roll back to a version that has been deleted');
    expect(rollbackRefusal(3, versions)).toBeNull();
    expect(rollbackRefusal(4, versions)).toBe('Failed to find version 4 in metadata');
  });
});

describe('operator rekey status', () => {
  it('shows progress and the new configuration only while started', () => {
    expect(rekeyStatusRows({ started: false, nonce: '' }).map((r) => r[0])).toEqual(['Key', '---', 'Nonce', 'Started']);
    const started = rekeyStatusRows({ started: true, nonce: 'n', progress: 1, required: 3, n: 5, t: 3 });
    expect(started).toContainEqual(['Rekey Progress', '1/3']);
    expect(started).toContainEqual(['New Shares', '5']);
    expect(started).toContainEqual(['New Threshold', '3']);
  });
});

import { describe, it, expect } from 'vitest';
import type { Secret } from './client';
import { goTimeString, outputList, outputSecret, printRaw, printRawField, printWarnings, rawField, resolveFormat } from './output';
import { BufferUi } from './ui';

const authSecret: Secret = {
  request_id: 'r',
  lease_id: '',
  lease_duration: 0,
  renewable: false,
  data: null,
  warnings: null,
  auth: {
    client_token: 'hvs.abc',
    accessor: 'acc',
    policies: ['default', 'superuser'],
    token_policies: ['default', 'superuser'],
    identity_policies: [],
    metadata: { username: 'tester' },
    lease_duration: 2764800,
    renewable: true,
  },
};

describe('outputSecret (table)', () => {
  it('prints auth blocks as Vault does', () => {
    const ui = new BufferUi();
    outputSecret(ui, authSecret, 'table');
    expect(ui.stdout).toBe(
      [
        'Key                    Value',
        '---                    -----',
        'token                  hvs.abc',
        'token_accessor         acc',
        'token_duration         768h',
        'token_renewable        true',
        'token_policies         ["default" "superuser"]',
        'identity_policies      []',
        'policies               ["default" "superuser"]',
        'token_meta_username    tester',
        '',
      ].join('\n'),
    );
  });

  it('shows root tokens (no TTL) as ∞', () => {
    const ui = new BufferUi();
    outputSecret(ui, { ...authSecret, auth: { ...authSecret.auth!, lease_duration: 0 } }, 'table');
    expect(ui.stdout).toMatch(/token_duration\s+∞/);
  });

  it('prints the wrapping rows with Go-style creation time', () => {
    const ui = new BufferUi();
    outputSecret(
      ui,
      {
        wrap_info: {
          token: 'hvs.wrap',
          accessor: 'wacc',
          ttl: 1800,
          creation_time: '2024-05-23T17:21:23.05200Z',
          creation_path: 'sys/replication/dr/primary/secondary-token',
        },
      },
      'table',
    );
    const lines = ui.stdout.trim().split('\n');
    expect(lines.slice(2).map((l) => l.split(/\s{2,}/))).toEqual([
      ['wrapping_token:', 'hvs.wrap'],
      ['wrapping_accessor:', 'wacc'],
      ['wrapping_token_ttl:', '30m'],
      ['wrapping_token_creation_time:', '2024-05-23 17:21:23.052 +0000 UTC'],
      ['wrapping_token_creation_path:', 'sys/replication/dr/primary/secondary-token'],
    ]);
  });

  it('adds refresh_interval for leases without an id, and sorts data keys', () => {
    const ui = new BufferUi();
    outputSecret(ui, { lease_duration: 2764800, lease_id: '', data: { foo: 'bar', a: '1' } }, 'table');
    expect(ui.stdout).toBe(
      'Key                 Value\n---                 -----\nrefresh_interval    768h\na                   1\nfoo                 bar\n',
    );
  });

  it('sends warnings to stderr in Vault’s block, and prints nothing else when there is no data', () => {
    const ui = new BufferUi();
    outputSecret(
      ui,
      {
        data: null,
        warnings: [
          'This cluster is being promoted to a replication primary. Vault will be unavailable for a brief period and will resume service shortly.',
        ],
      },
      'table',
    );
    expect(ui.stdout).toBe('');
    expect(ui.stderr).toBe(
      'WARNING! The following warnings were returned from Vault:\n\n' +
        '  * This cluster is being promoted to a replication primary. Vault will be\n' +
        '  unavailable for a brief period and will resume service shortly.\n\n',
    );
  });
});

describe('outputSecret (json)', () => {
  it('prints the envelope in api.Secret field order, indented 2 spaces, data keys sorted', () => {
    const ui = new BufferUi();
    outputSecret(ui, { request_id: 'r', data: { z: 1, a: { d: 1, c: 2 } }, warnings: null, auth: null }, 'json');
    const text = ui.stdout;
    expect(Object.keys(JSON.parse(text))).toEqual(['request_id', 'lease_id', 'lease_duration', 'renewable', 'data', 'warnings']);
    expect(text).toContain('\n  "data": {\n    "a": {\n      "c": 2,\n      "d": 1\n    },\n    "z": 1\n  },');
  });
});

describe('lists, fields and raw values', () => {
  it('prints "Keys" over sorted keys, or a JSON array', () => {
    const ui = new BufferUi();
    outputList(ui, { data: { keys: ['b', 'a/'] } }, 'table');
    expect(ui.stdout).toBe('Keys\n----\na/\nb\n');
    const j = new BufferUi();
    outputList(j, { data: { keys: ['b', 'a/'] } }, 'json');
    expect(JSON.parse(j.stdout)).toEqual(['b', 'a/']);
  });

  it('prints a raw field without newline when piped, with one on a terminal', () => {
    const piped = new BufferUi(false);
    expect(printRawField(piped, { data: { foo: 'bar' } }, 'foo', 'table')).toBe(0);
    expect(piped.stdout).toBe('bar');
    const tty = new BufferUi(true);
    printRaw(tty, 'bar');
    expect(tty.stdout).toBe('bar\n');
  });

  it('fails with Vault’s message when the field is missing', () => {
    const ui = new BufferUi();
    expect(printRawField(ui, { data: {} }, 'nope', 'table')).toBe(1);
    expect(ui.stderr).toBe('Field "nope" not present in secret\n');
  });

  it('resolves auth and wrapping field names', () => {
    expect(rawField(authSecret, 'token')).toBe('hvs.abc');
    expect(rawField(authSecret, 'token_policies')).toEqual(['default', 'superuser']);
    expect(rawField({ wrap_info: { token: 'w' } }, 'wrapping_token')).toBe('w');
    expect(rawField({ lease_duration: 5, data: {} }, 'refresh_interval')).toBe(5);
  });

  it('prints a JSON field as JSON with -format=json', () => {
    const ui = new BufferUi();
    printRawField(ui, { data: { m: { b: 1, a: 2 } } }, 'm', 'json');
    expect(ui.stdout).toBe('{\n  "a": 2,\n  "b": 1\n}');
  });
});

describe('misc', () => {
  it('validates -format and falls back to VAULT_FORMAT', () => {
    expect(resolveFormat(undefined, {})).toBe('table');
    expect(resolveFormat(undefined, { VAULT_FORMAT: 'json' })).toBe('json');
    expect(() => resolveFormat('yaml', {})).toThrow('Invalid output format: yaml');
  });

  it('formats RFC 3339 times like Go’s time.String', () => {
    expect(goTimeString('2018-01-26T15:22:37.365283Z')).toBe('2018-01-26 15:22:37.365283 +0000 UTC');
    expect(goTimeString('2018-01-26T15:22:37Z')).toBe('2018-01-26 15:22:37 +0000 UTC');
  });

  it('printWarnings is silent without warnings', () => {
    const ui = new BufferUi();
    printWarnings(ui, []);
    printWarnings(ui, null);
    expect(ui.stderr).toBe('');
  });
});

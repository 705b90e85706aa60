import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from './config';

// Seed 002 verbatim: a production Vault config from a training deck.
const SEED = `storage "raft" {
  path      = "/opt/vault/data"
  node_id   = "node-a.hcvop.com"
  retry_join {
    auto_join = "provider=aws region=us-east-1 tag_key=vault tag_value=east-1"
  }
}

listener "tcp" {
  address = "0.0.0.0:8200"
  cluster_address = "0.0.0.0:8201"
  tls_disable = 0
}

seal "awskms" {
  region = "us-east-1"
  kms_key_id = "12345678-abcd-1234-abcd-123456789101",
}

api_addr = "https://vault.hcvop.com:8200"
cluster_addr = "https://node-a.hcvop.com:8201"
cluster_name = "vault-prod-us-east-1"
ui = true
log_level = "INFO"
`;

const SEAL = /seal "awskms" \{[^}]*\}\n/;
const RETRY_JOIN = /  retry_join \{[^}]*\}\n/;
const TLS_DISABLE_0 = '  tls_disable = 0\n';
const TLS_FILES = '  tls_disable = 0\n  tls_cert_file = "/etc/coffer/tls.crt"\n  tls_key_file = "/etc/coffer/tls.key"\n';

function configError(text: string, source?: string): string {
  try {
    parseConfig(text, source);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected parseConfig to throw');
}

// A minimal valid config plus `extra` lines.
const minimal = (extra = '', listener = 'tls_disable = true') => `
storage "file" { path = "/tmp/coffer" }
listener "tcp" {
  address = "127.0.0.1:8200"
  ${listener}
}
${extra}
`;

describe('seed 002', () => {
  it('as written, stops at the seal stanza', () => {
    expect(configError(SEED, 'vault.hcl')).toBe('vault.hcl: seal "awskms" is not supported: Coffer uses Shamir unseal keys');
  });

  it('without seal, stops at auto_join: no cloud provider to discover nodes with', () => {
    expect(configError(SEED.replace(SEAL, ''), 'vault.hcl')).toBe(
      'vault.hcl: storage "raft": retry_join #1: auto_join ("provider=aws region=us-east-1 tag_key=vault tag_value=east-1") is not available here: Coffer cannot discover cloud instances by tag; list each node with leader_api_addr instead',
    );
  });

  it('several retry_join stanzas with leader_api_addr and TLS files parse in file order', () => {
    const stanzas = ['b', 'c', 'd', 'e']
      .map((n) => `  retry_join {\n    leader_api_addr = "https://node-${n}.hcvop.com:8200"\n    leader_ca_cert_file = "/opt/vault/tls/ca.pem"\n    leader_client_cert_file = "/opt/vault/tls/client.pem"\n    leader_client_key_file = "/opt/vault/tls/client-key.pem"\n  }\n`)
      .join('');
    const text = SEED.replace(SEAL, '').replace(RETRY_JOIN, stanzas).replace(TLS_DISABLE_0, '  tls_disable = 1\n');
    const joins = parseConfig(text).storage.cluster!.retryJoin;
    expect(joins.map((j) => j.leaderApiAddr)).toEqual(['b', 'c', 'd', 'e'].map((n) => `https://node-${n}.hcvop.com:8200`));
    expect(joins[0]).toEqual({
      leaderApiAddr: 'https://node-b.hcvop.com:8200',
      leaderCaCertFile: '/opt/vault/tls/ca.pem',
      leaderClientCertFile: '/opt/vault/tls/client.pem',
      leaderClientKeyFile: '/opt/vault/tls/client-key.pem',
    });
  });

  it('a retry_join without leader_api_addr, or with an unknown key, is named', () => {
    const base = SEED.replace(SEAL, '').replace(TLS_DISABLE_0, '  tls_disable = 1\n');
    expect(configError(base.replace(RETRY_JOIN, '  retry_join {\n    leader_ca_cert_file = "/ca.pem"\n  }\n'))).toBe('config: storage "raft": retry_join #1: leader_api_addr is required');
    expect(configError(base.replace(RETRY_JOIN, '  retry_join {\n    leader_api_addr = "https://b:8200"\n    leader = "x"\n  }\n'))).toBe('config: storage "raft": retry_join #1: unknown key "leader"');
  });

  it('etcd_client_address must stay on loopback (the member\'s client port has no authentication)', () => {
    const base = SEED.replace(SEAL, '').replace(TLS_DISABLE_0, '  tls_disable = 1\n');
    expect(configError(base.replace(RETRY_JOIN, '  etcd_client_address = "0.0.0.0:2379"\n'))).toMatch(/etcd_client_address must be a loopback address/);
  });

  it('without seal and retry_join, asks for the TLS files tls_disable = 0 implies', () => {
    const text = SEED.replace(SEAL, '').replace(RETRY_JOIN, '');
    expect(configError(text, 'vault.hcl')).toBe(
      'vault.hcl: listener "tcp": TLS is enabled, so tls_cert_file and tls_key_file are required (or set tls_disable = true)',
    );
  });

  it('with TLS files, parses to the expected object', () => {
    const text = SEED.replace(SEAL, '').replace(RETRY_JOIN, '').replace(TLS_DISABLE_0, TLS_FILES);
    expect(parseConfig(text, 'vault.hcl')).toEqual({
      storage: { type: 'raft', path: '/opt/vault/data', nodeId: 'node-a.hcvop.com' },
      listener: {
        address: '0.0.0.0:8200',
        clusterAddress: '0.0.0.0:8201',
        tlsDisable: false,
        tlsCertFile: '/etc/coffer/tls.crt',
        tlsKeyFile: '/etc/coffer/tls.key',
      },
      apiAddr: 'https://vault.hcvop.com:8200',
      clusterAddr: 'https://node-a.hcvop.com:8201',
      clusterName: 'vault-prod-us-east-1',
      ui: true,
      logLevel: 'info',
      disableMlock: false,
    });
  });

  it('with tls_disable = 1 instead, parses without TLS files', () => {
    const text = SEED.replace(SEAL, '').replace(RETRY_JOIN, '').replace(TLS_DISABLE_0, '  tls_disable = 1\n');
    const c = parseConfig(text);
    expect(c.listener).toEqual({ address: '0.0.0.0:8200', clusterAddress: '0.0.0.0:8201', tlsDisable: true });
    expect(c.apiAddr).toBe('https://vault.hcvop.com:8200'); // explicit api_addr wins over the scheme default
  });

  it('the same config in JSON parses the same', () => {
    const json = JSON.stringify({
      storage: { raft: { path: '/opt/vault/data', node_id: 'node-a.hcvop.com' } },
      listener: { tcp: { address: '0.0.0.0:8200', tls_disable: 'true' } },
      ui: true,
    });
    const c = parseConfig(json);
    expect(c.storage).toEqual({ type: 'raft', path: '/opt/vault/data', nodeId: 'node-a.hcvop.com' });
    expect(c.listener.tlsDisable).toBe(true);
    expect(c.ui).toBe(true);
  });
});

describe('defaults', () => {
  it('fills in what a minimal file leaves out', () => {
    const c = parseConfig(`
      storage "raft" { path = "/data" }
      listener "tcp" { tls_disable = true }
    `);
    expect(c.storage).toEqual({ type: 'raft', path: '/data', nodeId: hostname() });
    expect(c.listener).toEqual({ address: '127.0.0.1:8200', clusterAddress: '127.0.0.1:8201', tlsDisable: true });
    expect(c.apiAddr).toBe('http://127.0.0.1:8200');
    expect(c.clusterAddr).toBe('https://127.0.0.1:8201');
    expect(c.clusterName).toMatch(/^coffer-cluster-[0-9a-f]{8}$/);
    expect(c.ui).toBe(false);
    expect(c.logLevel).toBe('info');
    expect(c.disableMlock).toBe(false);
    expect(c).not.toHaveProperty('defaultLeaseTtl');
  });

  it('derives https addresses from the listener when TLS is on', () => {
    const c = parseConfig(minimal('', 'tls_cert_file = "c.pem"\n  tls_key_file = "k.pem"').replace('127.0.0.1:8200', '10.0.0.5:9200'));
    expect(c.apiAddr).toBe('https://10.0.0.5:9200');
    expect(c.listener.clusterAddress).toBe('10.0.0.5:9201');
    expect(c.clusterAddr).toBe('https://10.0.0.5:9201');
  });

  it('derives the cluster port for IPv6 listeners', () => {
    const c = parseConfig(minimal().replace('127.0.0.1:8200', '[::]:8200'));
    expect(c.listener.clusterAddress).toBe('[::]:8201');
    expect(c.apiAddr).toBe('http://[::]:8200');
  });

  it('draws a fresh random cluster name each time none is given', () => {
    expect(parseConfig(minimal()).clusterName).not.toBe(parseConfig(minimal()).clusterName);
  });
});

describe('values', () => {
  it('tls_disable accepts 0/1/true/false/"true"', () => {
    for (const [v, want] of [['1', true], ['0', false], ['true', true], ['false', false], ['"true"', true], ['"false"', false]] as const) {
      const tls = want ? '' : '\n  tls_cert_file = "c"\n  tls_key_file = "k"';
      expect(parseConfig(minimal('', `tls_disable = ${v}${tls}`)).listener.tlsDisable, v).toBe(want);
    }
    expect(configError(minimal('', 'tls_disable = "maybe"'), 'c.hcl')).toBe(
      'c.hcl: listener "tcp": tls_disable must be true, false, 1 or 0, got "maybe"',
    );
  });

  it('names the one TLS file that is missing', () => {
    expect(configError(minimal('', 'tls_cert_file = "c.pem"'))).toBe(
      'config: listener "tcp": TLS is enabled, so tls_key_file is required (or set tls_disable = true)',
    );
  });

  it('log_level is case-insensitive and accepts warning', () => {
    const level = (v: string) => parseConfig(minimal(`log_level = "${v}"`)).logLevel;
    expect(level('INFO')).toBe('info');
    expect(level('Debug')).toBe('debug');
    expect(level('trace')).toBe('trace');
    expect(level('warning')).toBe('warn');
    expect(level('WARN')).toBe('warn');
    expect(level('error')).toBe('error');
    expect(configError(minimal('log_level = "loud"'))).toBe('config: log_level "loud" is not one of trace, debug, info, warn, error');
  });

  it('accepts and keeps disable_mlock, lease TTLs and a telemetry stanza', () => {
    const c = parseConfig(
      minimal(`
        disable_mlock = true
        default_lease_ttl = "768h"
        max_lease_ttl = 86400
        telemetry {
          prometheus_retention_time = "30s"
          disable_hostname = true
        }
      `),
    );
    expect(c.disableMlock).toBe(true);
    expect(c.defaultLeaseTtl).toBe('768h');
    expect(c.maxLeaseTtl).toBe('86400');
  });

  it('rejects api_addr that is not an http(s) URL', () => {
    expect(configError(minimal('api_addr = "vault.example.com:8200"'))).toBe(
      'config: api_addr = "vault.example.com:8200" is not an http(s) URL',
    );
  });
});

describe('errors', () => {
  it('any seal stanza is refused by name', () => {
    expect(configError(minimal('seal "transit" { address = "https://x" }'), 'c.hcl')).toBe(
      'c.hcl: seal "transit" is not supported: Coffer uses Shamir unseal keys',
    );
  });

  it('unknown top-level keys and stanzas are named', () => {
    expect(configError(minimal('plugin_directory = "/plugins"'), 'c.hcl')).toBe('c.hcl: unknown key "plugin_directory"');
    expect(configError(minimal('ha_storage "consul" { address = "x" }'), 'c.hcl')).toBe('c.hcl: unknown stanza "ha_storage"');
  });

  it('storage types other than raft and file are named', () => {
    expect(configError('storage "consul" { path = "vault/" }\nlistener "tcp" { tls_disable = 1 }', 'c.hcl')).toBe(
      'c.hcl: storage "consul": storage type "consul" is not supported (use "raft", "etcd" or "file")',
    );
  });

  it('storage needs a path', () => {
    expect(configError('storage "raft" { node_id = "a" }\nlistener "tcp" { tls_disable = 1 }', 'c.hcl')).toBe(
      'c.hcl: storage "raft": path is required',
    );
  });

  it('unknown keys inside a stanza are named with the stanza', () => {
    expect(configError('storage "file" { path = "/d"\n node_id = "a" }\nlistener "tcp" { tls_disable = 1 }')).toBe(
      'config: storage "file": unknown key "node_id"',
    );
    expect(configError(minimal('', 'tls_disable = 1\n  tls_min_version = "tls12"'))).toBe(
      'config: listener "tcp": unknown key "tls_min_version"',
    );
  });

  it('a second listener is refused', () => {
    expect(configError(minimal('listener "tcp" {\n address = "127.0.0.1:8300"\n tls_disable = 1\n}'))).toBe(
      'config: only one listener stanza is supported for now, found 2',
    );
  });

  it('other listener types and missing stanzas are refused', () => {
    expect(configError('storage "file" { path = "/d" }\nlistener "unix" { address = "/run/c.sock" }')).toBe(
      'config: listener "unix": listener type "unix" is not supported (use "tcp")',
    );
    expect(configError('listener "tcp" { tls_disable = 1 }')).toMatch(/^config: a storage stanza is required/);
    expect(configError('storage "file" { path = "/d" }')).toMatch(/^config: a listener stanza is required/);
    expect(configError(minimal().replace('127.0.0.1:8200', '127.0.0.1'))).toBe(
      'config: listener "tcp": address "127.0.0.1" must be host:port',
    );
  });

  it('a syntax error reports the file and the parser position', () => {
    const text = 'storage "raft" {\n  path = "/d"\n}\nlistener "tcp" {\n  address = "127.0.0.1:8200"\n';
    expect(configError(text, '/etc/coffer/coffer.hcl')).toBe(
      '/etc/coffer/coffer.hcl:6:2: HCL syntax error: object expected closing RBRACE got: EOF',
    );
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads and parses a file, naming it in errors', () => {
    const good = join(dir, 'good.hcl');
    writeFileSync(good, minimal('ui = true'));
    expect(loadConfigFile(good).ui).toBe(true);

    const bad = join(dir, 'bad.hcl');
    writeFileSync(bad, minimal('seal "awskms" {}'));
    expect(() => loadConfigFile(bad)).toThrow(`${bad}: seal "awskms" is not supported`);
  });

  it('reports a missing file as a ConfigError', () => {
    const missing = join(dir, 'nope.hcl');
    expect(() => loadConfigFile(missing)).toThrow(ConfigError);
    expect(() => loadConfigFile(missing)).toThrow(`${missing}: cannot read config file`);
  });
});

describe('storage max_entry_size', () => {
  const raft = (line: string) => `storage "raft" {\n  path = "/d"\n  ${line}\n}\nlistener "tcp" { tls_disable = 1 }\n`;

  it('is left unset by default (storage applies 1 MiB) and read as a number or a numeric string', () => {
    expect(parseConfig(raft('')).storage.maxEntrySize).toBeUndefined();
    expect(parseConfig(raft('max_entry_size = 2097152')).storage.maxEntrySize).toBe(2097152);
    expect(parseConfig(raft('max_entry_size = "65536"')).storage.maxEntrySize).toBe(65536);
  });

  it('refuses non-numbers and sizes a replication frame could not carry', () => {
    expect(configError(raft('max_entry_size = "1MiB"'), 'c.hcl')).toBe('c.hcl: storage "raft": max_entry_size must be a number of bytes, got "1MiB"');
    expect(configError(raft('max_entry_size = 1024'), 'c.hcl')).toMatch(/max_entry_size must be between 16384 and 33554432 bytes .*got 1024$/);
    expect(configError(raft('max_entry_size = 67108864'), 'c.hcl')).toMatch(/got 67108864$/);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config';

// storage "etcd": Vault's names (address, ha_enabled, path, tls_*), plus the
// node's own data_path and node_id; disable_performance_standby at top level.
const LISTENER = 'listener "tcp" {\n  address = "127.0.0.1:8200"\n  tls_disable = 1\n}\n';
const parse = (storage: string, extra = '') => parseConfig(`${storage}\n${LISTENER}${extra}`, 'c.hcl');
const error = (storage: string) => {
  try {
    parse(storage);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('no error');
};

describe('storage "etcd"', () => {
  it('parses addresses, prefix, data path and node id, with Vault\'s defaults', () => {
    const c = parse('storage "etcd" {\n  address = "http://10.0.0.1:2379, http://10.0.0.2:2379"\n  path = "/vault-a"\n  data_path = "/var/lib/coffer"\n  node_id = "node-a"\n}');
    expect(c.storage).toEqual({ type: 'etcd', path: '/var/lib/coffer', nodeId: 'node-a', etcd: { endpoints: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'], prefix: '/vault-a/' } });
    const d = parse('storage "etcd" {\n  data_path = "/d"\n}');
    expect(d.storage.etcd).toEqual({ endpoints: ['http://localhost:2379'], prefix: '/coffer/' });
    expect(d.disablePerformanceStandby).toBeUndefined();
  });

  it('refuses what it cannot honour, naming the key', () => {
    expect(error('storage "etcd" {\n  address = "http://x:2379"\n}')).toMatch(/storage "etcd": data_path is required/);
    expect(error('storage "etcd" {\n  data_path = "/d"\n  ha_enabled = "false"\n}')).toMatch(/ha_enabled = false is not supported/);
    expect(error('storage "etcd" {\n  data_path = "/d"\n  address = "ftp://x"\n}')).toMatch(/address "ftp:\/\/x" is not an http\(s\) URL/);
    expect(error('storage "etcd" {\n  data_path = "/d"\n  sync = true\n}')).toMatch(/unknown key "sync"/);
    expect(error('storage "etcd" {\n  data_path = "/d"\n  tls_ca_file = "/nonexistent/ca.pem"\n}')).toMatch(/tls_ca_file: cannot read \/nonexistent\/ca.pem/);
  });

  it('lock_timeout (Vault\'s name for the active\'s lock TTL) sets the election lease in whole seconds', () => {
    expect(parse('storage "etcd" {\n  data_path = "/d"\n  lock_timeout = "3s"\n}').storage.etcd?.leaseTtlSeconds).toBe(3);
    expect(parse('storage "etcd" {\n  data_path = "/d"\n  lock_timeout = 5\n}').storage.etcd?.leaseTtlSeconds).toBe(5);
    expect(error('storage "etcd" {\n  data_path = "/d"\n  lock_timeout = "1500ms"\n}')).toMatch(/lock_timeout must be a whole number of seconds/);
    expect(error('storage "etcd" {\n  data_path = "/d"\n  lock_timeout = "0s"\n}')).toMatch(/lock_timeout must be a whole number of seconds/);
  });

  it('disable_performance_standby = true is kept', () => {
    expect(parse('storage "etcd" {\n  data_path = "/d"\n}', 'disable_performance_standby = true\n').disablePerformanceStandby).toBe(true);
  });
});

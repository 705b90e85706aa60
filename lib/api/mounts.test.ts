import { describe, expect, it } from 'vitest';
import { toMountRows } from './mounts';

const kv = { type: 'kv', description: 'key/value secret storage', accessor: 'kv_1', local: false, seal_wrap: false, config: { default_lease_ttl: 0, max_lease_ttl: 0 }, options: { version: '2' } };
const sys = { type: 'system', description: 'system endpoints', accessor: 'system_1', local: false, seal_wrap: false, config: { default_lease_ttl: 0, max_lease_ttl: 0 }, options: null };

describe('toMountRows', () => {
  it('reads the table under data, sorted by path', () => {
    const rows = toMountRows({ request_id: 'r', data: { 'sys/': sys, 'secret/': kv } });
    expect(rows.map((r) => r.path)).toEqual(['secret/', 'sys/']);
    expect(rows[0]).toEqual({ path: 'secret/', type: 'kv', version: '2', description: 'key/value secret storage', accessor: 'kv_1', local: false });
    expect(rows[1].version).toBeNull();
  });

  it('falls back to the top-level copy and skips envelope fields', () => {
    const rows = toMountRows({ request_id: 'r', lease_id: '', renewable: false, 'secret/': kv });
    expect(rows.map((r) => r.path)).toEqual(['secret/']);
  });

  it('gives no rows for an empty table', () => {
    expect(toMountRows({ data: {} })).toEqual([]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classOf } from './key-class';

describe('classOf', () => {
  it('ships shared state to every secondary, per-cluster state to DR secondaries only', () => {
    expect(classOf('core/mounts')).toBe('replicated');
    expect(classOf('core/keyring')).toBe('replicated');
    expect(classOf('logical/abc/data/x')).toBe('replicated');
    expect(classOf('sys/token/id/h123')).toBe('local');
    expect(classOf('local-logical/abc/x')).toBe('local');
    expect(classOf('core/login/lockedUsers/m/u')).toBe('local');
  });

  it('keeps the DR drill history local to the cluster that ran the drill (never shipped to performance secondaries)', () => {
    expect(classOf('core/drills/20261202t070000z-abc')).toBe('local');
  });

  it('ships the audit table to every secondary and local audit devices to DR secondaries only', () => {
    expect(classOf('core/audit')).toBe('replicated');
    expect(classOf('core/local-audit')).toBe('local');
  });

  it("mirrors the replication role a cluster holds for others to its DR secondaries (DR failover keeps the topology)", () => {
    for (const k of ['core/replication/performance/set', 'core/replication/performance/activation/london'])
      expect(classOf(k), k).toBe('local');
  });

  it("never ships this node's own replication role, position, bundles or listener certificate", () => {
    for (const m of ['dr', 'performance'])
      for (const k of ['state', 'position', 'bundle'])
        expect(classOf(`core/replication/${m}/${k}`), `${m}/${k}`).toBe('ignored');
    expect(classOf('core/replication/server-cert')).toBe('ignored');
    expect(classOf('core/replication/ca')).toBe('ignored'); // the set's CA travels inside the set record
    expect(classOf('core/replication/jwt-key')).toBe('ignored');
    expect(classOf('core/replication/dr/op-tokens/abc')).toBe('ignored');
    // A DR primary's own DR activations are not a role its DR secondaries take over.
    expect(classOf('core/replication/dr/activation/dr-east')).toBe('ignored');
    expect(classOf('core/replication/dr/set')).toBe('ignored');
    expect(classOf('core/node/id')).toBe('ignored');
  });

  it("never ships a cluster's own seal (its root key sealed under its unseal key) to performance or DR secondaries", () => {
    expect(classOf('core/cluster/local-seal')).toBe('ignored');
    expect(classOf('core/node/local-seal')).toBe('ignored'); // where earlier builds kept it
    fc.assert(
      fc.property(fc.string(), (rest) => {
        expect(classOf(`core/cluster/${rest}`)).toBe('ignored');
      }),
    );
    expect(classOf('core/clusters')).toBe('replicated');
  });

  it("keeps an auth mount's local storage (AppRole local_secret_ids) on its cluster; the mount's other keys replicate", () => {
    expect(classOf('auth/5c1e-uuid/local/secret_id/abc/def')).toBe('local');
    expect(classOf('auth/5c1e-uuid/local/accessor/abc')).toBe('local');
    expect(classOf('auth/5c1e-uuid/secret_id/abc/def')).toBe('replicated');
    expect(classOf('auth/5c1e-uuid/role/web')).toBe('replicated');
    expect(classOf('auth/5c1e-uuid/user/local')).toBe('replicated');
    expect(classOf('auth/local/x')).toBe('replicated'); // no mount uuid segment
    expect(classOf('logical/5c1e-uuid/local/x')).toBe('replicated'); // a KV path named local/ is user data
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f-]{1,36}$/), fc.string(), (uuid, rest) => {
        expect(classOf(`auth/${uuid}/local/${rest}`)).toBe('local');
        if (!rest.startsWith('local/')) expect(classOf(`auth/${uuid}/${rest}`)).toBe('replicated');
      }),
    );
  });

  it('mirrors exactly the listed keys: anything else under core/replication/ is ignored', () => {
    const mirrored = (k: string) => k === 'core/replication/performance/set' || k.startsWith('core/replication/performance/activation/');
    fc.assert(
      fc.property(fc.constantFrom('', 'ca', 'jwt-key', 'performance/', 'performance/set', 'performance/activation/', 'dr/'), fc.string(), (head, tail) => {
        const key = `core/replication/${head}${tail}`;
        expect(classOf(key)).toBe(mirrored(key) ? 'local' : 'ignored');
      }),
    );
  });
});

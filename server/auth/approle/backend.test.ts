import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../core/request';
import { testRequest, testStorage } from '../../engines/kv/test-storage';
import { InvalidCredentialsError } from '../../errors';
import { classOf } from '../../storage/key-class';
import { AppRoleBackend } from './backend';
import { parseMetadata } from './secret-id-issue';
import { RoleStore } from './role-store';
import { SecretIdStore } from './secret-id-store';
import { tidySecretIds } from './tidy';

const PREFIX = 'auth/approle-uuid/';

function setup() {
  const s = testStorage(PREFIX);
  return { ...s, backend: new AppRoleBackend({ storage: s.view, options: {}, mountPath: 'auth/approle/' }) };
}
const rq = (op: Operation, path: string, data: Record<string, unknown> = {}, remoteAddr = '127.0.0.1') =>
  testRequest(op, path, data, { mountPoint: 'auth/approle/', remoteAddr });

async function roleWithSecret(backend: AppRoleBackend, name: string, role: Record<string, unknown>, secret: Record<string, unknown> = {}) {
  await backend.handle(rq('create', `role/${name}`, role));
  const roleId = (await backend.handle(rq('read', `role/${name}/role-id`)))!.data!.role_id as string;
  const sid = (await backend.handle(rq('update', `role/${name}/secret-id`, secret)))!.data!;
  return { roleId, secretId: sid.secret_id as string, accessor: sid.secret_id_accessor as string };
}

describe('AppRole storage', () => {
  it('keeps secret-ids, role_ids and accessors out of every storage key; local_secret_ids land in class local, the rest replicate', async () => {
    const { backend, physical } = setup();
    const shared = await roleWithSecret(backend, 'shared', {});
    const local = await roleWithSecret(backend, 'mine', { local_secret_ids: true });
    const keys = physical.keysUnder(PREFIX);
    for (const v of [shared, local]) for (const secret of Object.values(v)) expect(keys.join('\n')).not.toContain(secret);
    const secretKeys = keys.filter((k) => /\/(secret_id|accessor)\//.test(k));
    expect(secretKeys).toHaveLength(4);
    for (const k of secretKeys) expect(classOf(k), k).toBe(k.startsWith(`${PREFIX}local/`) ? 'local' : 'replicated');
    expect(secretKeys.filter((k) => classOf(k) === 'local')).toHaveLength(2);
    expect(classOf(`${PREFIX}role/mine`)).toBe('replicated');
  });
});

describe('AppRole login', () => {
  it('spends a limited secret-id exactly num_uses times, however many logins race for it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 8 }), async (uses, attempts) => {
        const { backend } = setup();
        const { roleId, secretId } = await roleWithSecret(backend, 'r', { secret_id_num_uses: uses });
        const results = await Promise.allSettled(Array.from({ length: attempts }, () => backend.handle(rq('update', 'login', { role_id: roleId, secret_id: secretId }))));
        const ok = results.filter((r) => r.status === 'fulfilled');
        expect(ok).toHaveLength(Math.min(uses, attempts));
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(InvalidCredentialsError);
      }),
      { numRuns: 25 },
    );
  });

  it('returns the role’s token parameters with the secret-id metadata and the role name', async () => {
    const { backend } = setup();
    const { roleId, secretId } = await roleWithSecret(backend, 'web', { token_policies: 'a,b', token_ttl: '1h', token_type: 'batch', token_no_default_policy: true }, { metadata: 'env=prod' });
    const res = await backend.handle(rq('update', 'login', { role_id: roleId, secret_id: secretId }));
    expect(res!.login).toEqual({
      policies: ['a', 'b'],
      displayName: 'approle',
      metadata: { env: 'prod', role_name: 'web' },
      ttl: 3600,
      explicitMaxTtl: 0,
      period: 0,
      numUses: 0,
      renewable: true,
      tokenType: 'batch',
      noDefaultPolicy: true,
    });
    expect(backend.loginAlias(rq('update', 'login', { role_id: ` ${roleId} ` }))).toBe(roleId);
  });
});

describe('tidy/secret-id', () => {
  it('removes expired secret-ids, those of deleted roles and dangling accessors; keeps the rest', async () => {
    const { backend, view } = setup();
    const live = await roleWithSecret(backend, 'live', {});
    const short = await roleWithSecret(backend, 'short', { secret_id_ttl: 60 }, {});
    const local = await roleWithSecret(backend, 'local', { local_secret_ids: true, secret_id_ttl: 60 });
    await roleWithSecret(backend, 'gone', {});
    const roles = new RoleStore(view);
    roles.delete(roles.get('gone')!); // the role only: its secret-ids are left behind
    const ids = new SecretIdStore(view, () => roles.salt());
    const removed = tidySecretIds(roles, ids, Date.now() + 61_000);
    expect(removed).toBe(3);
    expect(ids.find(roles.get('live')!, live.secretId)).not.toBeNull();
    expect(ids.find(roles.get('short')!, short.secretId)).toBeNull();
    expect(ids.find(roles.get('local')!, local.secretId)).toBeNull();
    expect(ids.accessors(false).map((a) => a.target)).toHaveLength(1);
    expect(ids.accessors(true)).toEqual([]);
  });
});

describe('secret-id metadata (strutil.ParseArbitraryKeyValues)', () => {
  it('takes a JSON object, its text, its text in base64, or k=v pairs; values must be strings', () => {
    expect(parseMetadata('{"tag1":"production"}')).toEqual({ tag1: 'production' });
    expect(parseMetadata({ a: 'b' })).toEqual({ a: 'b' });
    expect(parseMetadata(Buffer.from('{"x":"y"}').toString('base64'))).toEqual({ x: 'y' });
    expect(parseMetadata('a=1, b = 2')).toEqual({ a: '1', b: '2' });
    expect(parseMetadata(undefined)).toEqual({});
    expect(() => parseMetadata('{"n":1}')).toThrow(/not a string/);
    expect(() => parseMetadata('nonsense')).toThrow(/failed to parse metadata/);
  });
});

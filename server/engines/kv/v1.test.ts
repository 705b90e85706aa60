import { describe, expect, it } from 'vitest';
import { VaultError } from '../../errors';
import { testRequest as rq, testStorage } from './test-storage';
import { KvV1Backend } from './v1';

function setup() {
  const s = testStorage();
  return { ...s, kv: new KvV1Backend(s.view) };
}

describe('kv v1', () => {
  it('writes, reads back, overwrites and deletes a secret', async () => {
    const { kv } = setup();
    expect(await kv.handle(rq('create', 'app/db', { user: 'u', port: 5432 }))).toEqual({ status: 204 });
    expect(await kv.handle(rq('read', 'app/db'))).toEqual({ data: { user: 'u', port: 5432 }, leaseDuration: 2764800 });
    await kv.handle(rq('update', 'app/db', { user: 'v' }));
    expect(await kv.handle(rq('read', 'app/db'))).toEqual({ data: { user: 'v' }, leaseDuration: 2764800 });
    expect(await kv.handle(rq('delete', 'app/db'))).toEqual({ status: 204 });
    expect(await kv.handle(rq('read', 'app/db'))).toEqual({ status: 404, data: null });
  });

  it('stores values encrypted, not as plaintext in the physical table', async () => {
    const { kv, physical } = setup();
    await kv.handle(rq('create', 'k', { password: 'hunter2-very-secret' }));
    const raw = physical.get('logical/test/k');
    expect(raw).not.toBeNull();
    expect(raw!.toString('latin1')).not.toContain('hunter2-very-secret');
  });

  it('answers 404 with no body for a missing secret, a folder and the root', async () => {
    const { kv } = setup();
    await kv.handle(rq('create', 'a/b', { x: 1 }));
    for (const path of ['nope', 'a/', '']) expect(await kv.handle(rq('read', path))).toEqual({ status: 404, data: null });
  });

  it('lists keys with folders ending in "/", at the root and below, with or without a trailing slash', async () => {
    const { kv } = setup();
    for (const p of ['foo', 'foo/bar', 'foo/baz/q', 'zed']) await kv.handle(rq('create', p, { v: p }));
    const root = await kv.handle(rq('list', ''));
    expect((root!.data!.keys as string[]).sort()).toEqual(['foo', 'foo/', 'zed']);
    expect(await kv.handle(rq('list', 'foo/'))).toEqual({ data: { keys: ['bar', 'baz/'] } });
    expect(await kv.handle(rq('list', 'foo'))).toEqual({ data: { keys: ['bar', 'baz/'] } });
    expect(await kv.handle(rq('list', 'empty/'))).toEqual({ status: 404, data: null });
  });

  it('rejects bodies that are not a non-empty JSON object', async () => {
    const { kv } = setup();
    await expect(kv.handle(rq('create', 'x', {}))).rejects.toThrow('missing data fields');
    await expect(kv.handle(rq('create', 'x', ['a'] as unknown as Record<string, unknown>))).rejects.toMatchObject({ status: 400 });
  });

  it('refuses writes to folder paths and ".." paths with 400, not a storage crash', async () => {
    const { kv } = setup();
    await expect(kv.handle(rq('create', 'dir/', { a: 1 }))).rejects.toMatchObject({ status: 400 });
    const err = await kv.handle(rq('read', 'a/../b')).catch((e) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect(err.status).toBe(400);
  });

  it('returns a ttl field as the lease_duration hint', async () => {
    const { kv } = setup();
    await kv.handle(rq('create', 'leased', { ttl: '1h', v: 1 }));
    expect(await kv.handle(rq('read', 'leased'))).toMatchObject({ leaseDuration: 3600, data: { ttl: '1h', v: 1 } });
  });

  it("reports the mount's default lease TTL when the secret has no usable ttl (Vault's passthrough backend)", async () => {
    const s = testStorage();
    const tuned = new KvV1Backend(s.view, 600);
    await tuned.handle(rq('create', 'plain', { v: 1 }));
    await tuned.handle(rq('create', 'bad-ttl', { v: 1, ttl: 'soon' }));
    await tuned.handle(rq('create', 'legacy', { v: 1, lease: '2m' }));
    expect(await tuned.handle(rq('read', 'plain'))).toMatchObject({ leaseDuration: 600 });
    expect(await tuned.handle(rq('read', 'bad-ttl'))).toMatchObject({ leaseDuration: 600 });
    expect(await tuned.handle(rq('read', 'legacy'))).toMatchObject({ leaseDuration: 120 });
  });

  it('exists() tells create from update', async () => {
    const { kv } = setup();
    expect(kv.exists(rq('update', 'e'))).toBe(false);
    await kv.handle(rq('create', 'e', { a: 1 }));
    expect(kv.exists(rq('update', 'e'))).toBe(true);
  });

  it('does not support patch (405)', async () => {
    const { kv } = setup();
    await expect(kv.handle(rq('patch', 'e', { a: 1 }))).rejects.toMatchObject({ status: 405 });
  });
});

import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../storage/backend';
import { testRequest as rq, testStorage } from './test-storage';
import { KvV2Backend } from './v2';

function setup(opts: { now?: () => Date } = {}) {
  const s = testStorage();
  return { ...s, kv: new KvV2Backend(s.view, opts) };
}

type Kv = KvV2Backend;
const put = (kv: Kv, path: string, data: Record<string, unknown>, options?: Record<string, unknown>) =>
  kv.handle(rq('update', 'data/' + path, options ? { data, options } : { data }));
const get = (kv: Kv, path: string, version?: number) =>
  kv.handle(rq('read', 'data/' + path, {}, { query: version ? { version: String(version) } : {} }));
const meta = async (kv: Kv, path: string) => (await kv.handle(rq('read', 'metadata/' + path)))!.data as Record<string, any>;

describe('kv v2 data', () => {
  it('writes versions and reads the latest or a given one', async () => {
    const { kv } = setup();
    const w1 = await put(kv, 'app', { a: '1' });
    expect(w1).toEqual({ data: { created_time: expect.any(String), custom_metadata: null, deletion_time: '', destroyed: false, version: 1 } });
    await put(kv, 'app', { a: '2' });
    const latest = await get(kv, 'app');
    expect(latest!.data).toEqual({
      data: { a: '2' },
      metadata: { created_time: expect.any(String), custom_metadata: null, deletion_time: '', destroyed: false, version: 2 },
    });
    expect((await get(kv, 'app', 1))!.data!.data).toEqual({ a: '1' });
    expect(await get(kv, 'app', 7)).toEqual({ status: 404, data: null });
    expect(await get(kv, 'missing')).toEqual({ status: 404, data: null });
  });

  it('writes a version value and its metadata in one storage transaction', async () => {
    const { kv, physical } = setup();
    const commits: LogRecord[][] = [];
    physical.onCommit((records) => commits.push(records));
    await put(kv, 'one', { x: 1 });
    expect(commits).toHaveLength(1);
    expect(commits[0].map((r) => r.key.replace('logical/test/', '').replace(/^versions\/[0-9a-f]{64}\//, 'versions/H/'))).toEqual([
      'versions/H/1',
      'metadata/one',
    ]);
  });

  it('requires data to be a JSON object and names the field', async () => {
    const { kv } = setup();
    await expect(kv.handle(rq('update', 'data/x', {}))).rejects.toThrow('no data provided');
    await expect(kv.handle(rq('update', 'data/x', { data: 'str' }))).rejects.toThrow(/"data"/);
    await expect(kv.handle(rq('update', 'data/x', { data: {}, options: 5 }))).rejects.toThrow(/"options"/);
    await expect(kv.handle(rq('read', 'data/x', {}, { query: { version: 'abc' } }))).rejects.toThrow(/"version"/);
  });

  it('enforces check-and-set', async () => {
    const { kv } = setup();
    expect((await put(kv, 'c', { v: 1 }, { cas: 0 }))!.data!.version).toBe(1);
    await expect(put(kv, 'c', { v: 2 }, { cas: 0 })).rejects.toThrow('check-and-set parameter did not match the current version');
    await expect(put(kv, 'c', { v: 2 }, { cas: 5 })).rejects.toMatchObject({ status: 400 });
    expect((await put(kv, 'c', { v: 2 }, { cas: '1' }))!.data!.version).toBe(2);
    await expect(put(kv, 'c', { v: 3 }, { cas: 'x' })).rejects.toThrow('error parsing check-and-set parameter');
  });

  it('requires cas when the config or the key says so', async () => {
    const { kv } = setup();
    await kv.handle(rq('update', 'config', { cas_required: true }));
    await expect(put(kv, 'k', { v: 1 })).rejects.toThrow('check-and-set parameter required for this call');
    await put(kv, 'k', { v: 1 }, { cas: 0 });
    await kv.handle(rq('update', 'config', { cas_required: false }));
    await kv.handle(rq('update', 'metadata/k', { cas_required: true }));
    await expect(put(kv, 'k', { v: 2 })).rejects.toThrow('check-and-set parameter required');
    await put(kv, 'other', { v: 1 });
  });

  it('patches the latest live version with a JSON merge patch', async () => {
    const { kv } = setup();
    await put(kv, 'p', { keep: 'k', change: 'old', drop: 'x', nested: { a: 1, b: 2 } });
    const res = await kv.handle(rq('patch', 'data/p', { data: { change: 'new', drop: null, nested: { b: null, c: 3 }, added: true } }));
    expect(res!.data!.version).toBe(2);
    expect((await get(kv, 'p'))!.data!.data).toEqual({ keep: 'k', change: 'new', nested: { a: 1, c: 3 }, added: true });
    expect((await get(kv, 'p', 1))!.data!.data).toMatchObject({ change: 'old', drop: 'x' });
  });

  it('refuses to patch what does not exist or is deleted', async () => {
    const { kv } = setup();
    expect(await kv.handle(rq('patch', 'data/none', { data: { a: 1 } }))).toEqual({ status: 404, data: null });
    await put(kv, 'gone', { a: 1 });
    await kv.handle(rq('delete', 'data/gone'));
    const res = await kv.handle(rq('patch', 'data/gone', { data: { a: 2 } }));
    expect(res).toMatchObject({ status: 404, data: { version: 1, deletion_time: expect.any(String) } });
    await expect(kv.handle(rq('patch', 'data/gone', { data: { a: 2 }, options: { cas: 0 } }))).rejects.toThrow('check-and-set');
  });

  it('a write checks cas against metadata a replicated change wrote after its own last write (kept metadata is dropped)', async () => {
    const { kv, physical, barrier } = setup();
    await put(kv, 'shared', { a: 1 });
    // The primary's later versions arrive below the barrier, as the replication applier writes them.
    const key = 'logical/test/metadata/shared';
    const replicated = JSON.parse(barrier.get(key)!.toString());
    replicated.current_version = 5;
    replicated.versions['5'] = { ...replicated.versions['1'] };
    physical.applyShipped([{ op: 'put', key, value: barrier.encrypt(key, Buffer.from(JSON.stringify(replicated))) }]);
    await expect(put(kv, 'shared', { a: 2 }, { cas: 1 })).rejects.toThrow('check-and-set parameter did not match the current version');
    expect((await put(kv, 'shared', { a: 2 }, { cas: 5 }))!.data).toMatchObject({ version: 6 });
  });

  it('a failed write leaves the metadata it read unchanged for the next write', async () => {
    const { kv, physical } = setup();
    await put(kv, 'f', { a: 1 });
    physical.faults.failPut = true;
    await expect(put(kv, 'f', { a: 2 })).rejects.toThrow(/storage fault injected/);
    physical.faults.failPut = false;
    expect((await meta(kv, 'f')).current_version).toBe(1);
    expect((await put(kv, 'f', { a: 3 }, { cas: 1 }))!.data).toMatchObject({ version: 2 });
  });
});

describe('kv v2 delete, undelete, destroy', () => {
  it('DELETE data/ soft-deletes the latest version: 404 with its metadata, older versions still readable', async () => {
    const { kv } = setup();
    await put(kv, 's', { v: 1 });
    await put(kv, 's', { v: 2 });
    expect(await kv.handle(rq('delete', 'data/s'))).toEqual({ status: 204 });
    const res = await get(kv, 's');
    expect(res!.status).toBe(404);
    expect(res!.data).toEqual({ data: null, metadata: expect.objectContaining({ version: 2, destroyed: false, deletion_time: expect.stringMatching(/^\d{4}-/) }) });
    expect((await get(kv, 's', 1))!.data!.data).toEqual({ v: 1 });
  });

  it('delete/ and undelete/ act on listed versions', async () => {
    const { kv } = setup();
    for (let i = 1; i <= 3; i++) await put(kv, 'd', { v: i });
    await kv.handle(rq('update', 'delete/d', { versions: [1, 3] }));
    expect((await get(kv, 'd', 1))!.status).toBe(404);
    expect((await get(kv, 'd', 2))!.data!.data).toEqual({ v: 2 });
    expect((await get(kv, 'd', 3))!.status).toBe(404);
    await kv.handle(rq('update', 'undelete/d', { versions: '3' }));
    expect((await get(kv, 'd'))!.data!.data).toEqual({ v: 3 });
    expect((await get(kv, 'd', 1))!.status).toBe(404);
    await expect(kv.handle(rq('update', 'delete/d', {}))).rejects.toThrow('no version number provided');
    await expect(kv.handle(rq('update', 'delete/d', { versions: ['x'] }))).rejects.toThrow(/"versions"/);
  });

  it('destroy/ removes the stored value for good; undelete cannot bring it back', async () => {
    const { kv, physical } = setup();
    await put(kv, 'x', { secret: 'one' });
    await put(kv, 'x', { secret: 'two' });
    const before = physical.keysUnder('logical/test/versions/').length;
    await kv.handle(rq('update', 'destroy/x', { versions: [1] }));
    expect(physical.keysUnder('logical/test/versions/')).toHaveLength(before - 1);
    await kv.handle(rq('update', 'undelete/x', { versions: [1] }));
    const res = await get(kv, 'x', 1);
    expect(res).toEqual({ status: 404, data: { data: null, metadata: expect.objectContaining({ version: 1, destroyed: true }) } });
    expect((await meta(kv, 'x')).versions['1'].destroyed).toBe(true);
    expect((await get(kv, 'x'))!.data!.data).toEqual({ secret: 'two' });
  });

  it('versions/ actions on a missing secret are a quiet 204', async () => {
    const { kv } = setup();
    expect(await kv.handle(rq('update', 'destroy/none', { versions: [1] }))).toEqual({ status: 204 });
  });
});

describe('kv v2 metadata', () => {
  it('reads version history and settings', async () => {
    const { kv } = setup();
    await put(kv, 'm', { v: 1 });
    await put(kv, 'm', { v: 2 });
    await kv.handle(rq('update', 'delete/m', { versions: [1] }));
    const m = await meta(kv, 'm');
    expect(m).toEqual({
      cas_required: false,
      created_time: expect.any(String),
      current_version: 2,
      custom_metadata: null,
      delete_version_after: '0s',
      max_versions: 0,
      oldest_version: 0,
      updated_time: expect.any(String),
      versions: {
        '1': { created_time: expect.any(String), deletion_time: expect.stringMatching(/^\d{4}-/), destroyed: false },
        '2': { created_time: expect.any(String), deletion_time: '', destroyed: false },
      },
    });
    expect(await kv.handle(rq('read', 'metadata/none'))).toEqual({ status: 404, data: null });
  });

  it('writes settings and custom_metadata without adding a version; data reads carry custom_metadata', async () => {
    const { kv } = setup();
    expect(await kv.handle(rq('update', 'metadata/cm', { max_versions: 3, custom_metadata: { owner: 'jdoe', n: 5 }, delete_version_after: '1h30m' }))).toEqual({
      status: 204,
    });
    const m = await meta(kv, 'cm');
    expect(m).toMatchObject({ current_version: 0, max_versions: 3, custom_metadata: { owner: 'jdoe', n: '5' }, delete_version_after: '1h30m0s', versions: {} });
    expect(await get(kv, 'cm')).toEqual({ status: 404, data: null });
    await put(kv, 'cm', { a: 1 });
    expect((await get(kv, 'cm'))!.data!.metadata).toMatchObject({ version: 1, custom_metadata: { owner: 'jdoe', n: '5' } });
  });

  it('PATCH metadata merges custom_metadata and needs existing metadata', async () => {
    const { kv } = setup();
    expect(await kv.handle(rq('patch', 'metadata/pm', { max_versions: 2 }))).toEqual({ status: 404, data: null });
    await kv.handle(rq('update', 'metadata/pm', { custom_metadata: { a: '1', b: '2' } }));
    await kv.handle(rq('patch', 'metadata/pm', { custom_metadata: { b: null, c: '3' } }));
    expect((await meta(kv, 'pm')).custom_metadata).toEqual({ a: '1', c: '3' });
  });

  it('validates metadata fields with messages naming them', async () => {
    const { kv } = setup();
    await expect(kv.handle(rq('update', 'metadata/v', { max_versions: -1 }))).rejects.toThrow(/"max_versions"/);
    await expect(kv.handle(rq('update', 'metadata/v', { cas_required: 'maybe' }))).rejects.toThrow(/"cas_required"/);
    await expect(kv.handle(rq('update', 'metadata/v', { delete_version_after: 'soon' }))).rejects.toThrow(/"delete_version_after"/);
    await expect(kv.handle(rq('update', 'metadata/v', { custom_metadata: { k: { deep: 1 } } }))).rejects.toThrow('custom_metadata validation failed');
    await expect(kv.handle(rq('update', 'metadata/v', { custom_metadata: { k: 'x'.repeat(513) } }))).rejects.toThrow('custom_metadata validation failed');
  });

  it('warns when a key turns cas_required off while the config mandates it', async () => {
    const { kv } = setup();
    await kv.handle(rq('update', 'config', { cas_required: true }));
    const res = await kv.handle(rq('update', 'metadata/w', { cas_required: false }));
    expect(res!.warnings).toEqual([expect.stringContaining('cas_required')]);
  });

  it('DELETE metadata removes every version and the metadata', async () => {
    const { kv, physical } = setup();
    await put(kv, 'gone', { v: 1 });
    await put(kv, 'gone', { v: 2 });
    await put(kv, 'kept', { v: 1 });
    expect(await kv.handle(rq('delete', 'metadata/gone'))).toEqual({ status: 204 });
    expect(await kv.handle(rq('read', 'metadata/gone'))).toEqual({ status: 404, data: null });
    expect(await get(kv, 'gone', 1)).toEqual({ status: 404, data: null });
    expect(physical.keysUnder('logical/test/versions/')).toHaveLength(1);
    expect(kv.exists(rq('update', 'data/gone'))).toBe(false);
  });

  it('lists secrets under metadata/ with folders ending in "/"', async () => {
    const { kv } = setup();
    for (const p of ['foo', 'foo/bar', 'foo/baz/q', 'top']) await put(kv, p, { v: 1 });
    expect(((await kv.handle(rq('list', 'metadata/')))!.data!.keys as string[]).sort()).toEqual(['foo', 'foo/', 'top']);
    expect(((await kv.handle(rq('list', 'metadata')))!.data!.keys as string[]).sort()).toEqual(['foo', 'foo/', 'top']);
    expect(await kv.handle(rq('list', 'metadata/foo/'))).toEqual({ data: { keys: ['bar', 'baz/'] } });
    expect(await kv.handle(rq('list', 'metadata/none/'))).toEqual({ status: 404, data: null });
  });
});

describe('kv v2 max_versions', () => {
  it('keeps 10 versions by default, dropping the oldest values from storage', async () => {
    const { kv, physical } = setup();
    for (let i = 1; i <= 12; i++) await put(kv, 'many', { v: i });
    const m = await meta(kv, 'many');
    expect(Object.keys(m.versions).map(Number).sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(m.oldest_version).toBe(3);
    expect(physical.keysUnder('logical/test/versions/')).toHaveLength(10);
    expect(await get(kv, 'many', 2)).toEqual({ status: 404, data: null });
    expect((await get(kv, 'many', 3))!.data!.data).toEqual({ v: 3 });
  });

  it('uses the config value, and the key setting over it; lowering it trims on the next write', async () => {
    const { kv, physical } = setup();
    await kv.handle(rq('update', 'config', { max_versions: 3 }));
    expect((await kv.handle(rq('read', 'config')))!.data).toEqual({ cas_required: false, delete_version_after: '0s', max_versions: 3 });
    for (let i = 1; i <= 5; i++) await put(kv, 'cfg', { v: i });
    expect(Object.keys((await meta(kv, 'cfg')).versions)).toEqual(['3', '4', '5']);

    await kv.handle(rq('update', 'metadata/cfg', { max_versions: 1 }));
    expect(Object.keys((await meta(kv, 'cfg')).versions)).toHaveLength(3);
    await put(kv, 'cfg', { v: 6 });
    const m = await meta(kv, 'cfg');
    expect(Object.keys(m.versions)).toEqual(['6']);
    expect(m.oldest_version).toBe(6);
    expect(physical.keysUnder('logical/test/versions/')).toHaveLength(1);
  });
});

describe('kv v2 delete_version_after, subkeys, config and routing', () => {
  it('schedules deletion: readable before the deadline, 404 after', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const { kv } = setup({ now: () => now });
    await kv.handle(rq('update', 'config', { delete_version_after: '1h' }));
    await kv.handle(rq('update', 'metadata/t', { delete_version_after: 600 }));
    const w = await put(kv, 't', { v: 1 });
    expect(w!.data!.deletion_time).toBe('2030-01-01T00:10:00.000Z');
    expect((await get(kv, 't'))!.data!.data).toEqual({ v: 1 });
    now = new Date('2030-01-01T00:10:01Z');
    expect((await get(kv, 't'))!.status).toBe(404);
  });

  it('subkeys replaces leaves with null and honours depth', async () => {
    const { kv } = setup();
    await put(kv, 'sk', { foo: 'abc', bar: { baz: 'def', deep: { x: 1 } }, quux: {} });
    const all = await kv.handle(rq('read', 'subkeys/sk'));
    expect(all!.data!.subkeys).toEqual({ foo: null, bar: { baz: null, deep: { x: null } }, quux: null });
    const d1 = await kv.handle(rq('read', 'subkeys/sk', {}, { query: { depth: '1' } }));
    expect(d1!.data!.subkeys).toEqual({ foo: null, bar: null, quux: null });
    expect(d1!.data!.metadata).toMatchObject({ version: 1 });
  });

  it('config write only changes the fields given', async () => {
    const { kv } = setup();
    await kv.handle(rq('update', 'config', { max_versions: 4, delete_version_after: '3h25m19s' }));
    await kv.handle(rq('update', 'config', { cas_required: true }));
    expect((await kv.handle(rq('read', 'config')))!.data).toEqual({ cas_required: true, delete_version_after: '3h25m19s', max_versions: 4 });
  });

  it('returns null for paths it does not have and 405 for unsupported operations', async () => {
    const { kv } = setup();
    for (const p of ['', 'foo', 'data/', 'data/dir/', 'nope/x', 'delete/']) expect(await kv.handle(rq('read', p))).toBeNull();
    await expect(kv.handle(rq('list', 'data/x'))).rejects.toMatchObject({ status: 405 });
    await expect(kv.handle(rq('read', 'destroy/x'))).rejects.toMatchObject({ status: 405 });
  });

  it('exists() is true once metadata exists, for data/ and metadata/', async () => {
    const { kv } = setup();
    expect(kv.exists(rq('update', 'data/e'))).toBe(false);
    expect(kv.exists(rq('update', 'metadata/e'))).toBe(false);
    await put(kv, 'e', { a: 1 });
    expect(kv.exists(rq('update', 'data/e'))).toBe(true);
    expect(kv.exists(rq('update', 'metadata/e'))).toBe(true);
    expect(kv.exists(rq('update', 'config'))).toBe(true);
  });

  it('rejects ".." in secret paths with 400', async () => {
    const { kv } = setup();
    await expect(put(kv, 'a/../b', { a: 1 })).rejects.toMatchObject({ status: 400 });
  });
});

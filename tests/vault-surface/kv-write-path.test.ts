import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startConfiguredServer, startDevServer, type ConfiguredServer, type DevServer } from '../support/cluster';
import { initAndUnseal } from '../support/disk-scan';
import { converged, pair, waitFor } from '../support/replication';

// Issue 11 item 3: the KV v2 write path was made cheaper (metadata read once,
// from a decoded cache kept after each commit and dropped by the storage
// change bus). These pin what it must still do, on real processes: cas and
// version numbers under concurrent writers, max_versions trimming in storage,
// durability of an acknowledged write across kill -9, and metadata changes
// reaching a performance secondary as the primary made them.
const STORAGE_FILE = 'coffer.db';
const CONCURRENT = 32;

describe('KV v2 write path on one dev server', () => {
  let s: DevServer;
  const write = (path: string, body: unknown) => api(s.addr, 'POST', `secret/data/${path}`, { token: s.rootToken, body });
  const metadata = async (path: string) => (await api(s.addr, 'GET', `secret/metadata/${path}`, { token: s.rootToken })).body.data;

  beforeAll(async () => {
    s = await startDevServer({ healthTimeoutMs: 60_000 });
  }, 90_000);
  afterAll(async () => {
    await s?.stop();
  });

  it('check-and-set still refuses a stale cas under concurrent writers', { timeout: 60_000 }, async () => {
    expect((await write('cas', { data: { n: 0 } })).status).toBe(200);
    const answers = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => write('cas', { data: { n: i + 1 }, options: { cas: 1 } })));
    const won = answers.filter((a) => a.status === 200);
    expect(won).toHaveLength(1);
    expect(won[0].body.data.version).toBe(2);
    for (const lost of answers.filter((a) => a.status !== 200)) {
      expect(lost.status).toBe(400);
      expect(lost.body.errors.join(' ')).toContain('check-and-set parameter did not match the current version');
    }
    expect((await metadata('cas')).current_version).toBe(2);
    // The next writer that names the version it saw wins; one naming the stale one still loses.
    expect((await write('cas', { data: { n: 99 }, options: { cas: 1 } })).status).toBe(400);
    expect((await write('cas', { data: { n: 99 }, options: { cas: 2 } })).body.data.version).toBe(3);
  });

  it('concurrent writes to one key each get a distinct version number', { timeout: 60_000 }, async () => {
    const answers = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => write('race', { data: { writer: i } })));
    for (const a of answers) expect(a.status).toBe(200);
    const versions = answers.map((a) => a.body.data.version as number).sort((x, y) => x - y);
    expect(versions).toEqual(Array.from({ length: CONCURRENT }, (_, i) => i + 1));
    expect((await metadata('race')).current_version).toBe(CONCURRENT);
    // What each writer was told is what storage holds under that version (within the kept window).
    for (const a of answers.filter((x) => x.body.data.version > CONCURRENT - 10)) {
      const read = await api(s.addr, 'GET', `secret/data/race?version=${a.body.data.version}`, { token: s.rootToken });
      expect(read.body.data.data).toEqual({ writer: answers.indexOf(a) });
    }
  });
});

describe('KV v2 write path on a configured server (storage file)', () => {
  let s: ConfiguredServer;
  let token = '';
  let unsealKeys: string[] = [];
  const write = (path: string, body: unknown) => api(s.addr, 'POST', `secret/data/${path}`, { token, body });

  beforeAll(async () => {
    s = await startConfiguredServer({ name: 'kvwrite', healthTimeoutMs: 60_000 });
    const init = await initAndUnseal(s);
    token = init.rootToken;
    unsealKeys = init.keys;
    const m = await api(s.addr, 'POST', 'sys/mounts/secret', { token, body: { type: 'kv', options: { version: '2' } } });
    expect(m.status).toBe(204);
  }, 90_000);
  afterAll(async () => {
    await s?.stop();
  });

  it('max_versions trimming still deletes the oldest version', { timeout: 60_000 }, async () => {
    expect((await api(s.addr, 'POST', 'secret/metadata/trim', { token, body: { max_versions: 3 } })).status).toBe(204);
    for (let v = 1; v <= 5; v++) expect((await write('trim', { data: { v } })).body.data.version).toBe(v);
    const meta = (await api(s.addr, 'GET', 'secret/metadata/trim', { token })).body.data;
    expect(Object.keys(meta.versions).sort()).toEqual(['3', '4', '5']);
    expect(meta.oldest_version).toBe(3);
    for (const gone of [1, 2]) expect((await api(s.addr, 'GET', `secret/data/trim?version=${gone}`, { token })).status).toBe(404);
    expect((await api(s.addr, 'GET', 'secret/data/trim?version=3', { token })).body.data.data).toEqual({ v: 3 });
    // And in the storage file itself (key names are not encrypted): only versions 3–5 of this secret remain.
    const db = new Database(join(s.dataDir, STORAGE_FILE), { readonly: true, fileMustExist: true });
    try {
      const hash = createHash('sha256').update('trim').digest('hex');
      const rows = db.prepare<[string], { key: string }>('SELECT key FROM entries WHERE key LIKE ?').all(`%/versions/${hash}/%`);
      expect(rows.map((r) => Number(r.key.split('/').pop())).sort()).toEqual([3, 4, 5]);
    } finally {
      db.close();
    }
  });

  it('a write acknowledged to the client survives kill -9 right after the answer', { timeout: 120_000 }, async () => {
    const acknowledged = new Map<string, { version: number; n: number }>();
    let killed = false;
    // Many writers at once, so answers come out of shared group commits; the
    // process is killed the moment half of them have been answered.
    await Promise.all(
      Array.from({ length: CONCURRENT * 2 }, async (_, i) => {
        const path = `durable${i % CONCURRENT}`;
        try {
          const r = await write(path, { data: { n: i } });
          if (r.status !== 200 || killed) return;
          acknowledged.set(`${path}@${r.body.data.version}`, { version: r.body.data.version, n: i });
          if (acknowledged.size === CONCURRENT) {
            killed = true;
            s.proc.kill('SIGKILL');
          }
        } catch {
          /* the connection died with the process: not acknowledged */
        }
      }),
    );
    expect(killed).toBe(true);
    await s.kill(); // wait for the exit
    s = await s.restart();
    for (const key of unsealKeys) await api(s.addr, 'PUT', 'sys/unseal', { body: { key } });
    await waitFor('the mount table after restart', async () => (await api(s.addr, 'GET', 'secret/config', { token })).status === 200, 30_000);
    for (const [at, { version, n }] of acknowledged) {
      const path = at.split('@')[0];
      const read = await api(s.addr, 'GET', `secret/data/${path}?version=${version}`, { token });
      expect(read.status, `${at} was acknowledged but is gone after kill -9`).toBe(200);
      expect(read.body.data.data).toEqual({ n });
    }
  });
});

describe('KV v2 metadata on a performance secondary', () => {
  let primary: DevServer;
  let secondary: DevServer;
  const on = (node: DevServer, method: string, path: string, body?: unknown) => api(node.addr, method, path, { token: primary.rootToken, body });
  const meta = async (node: DevServer, path: string) => (await on(node, 'GET', `secret/metadata/${path}`)).body?.data;

  beforeAll(async () => {
    [primary, secondary] = await Promise.all([startDevServer({ healthTimeoutMs: 60_000 }), startDevServer({ healthTimeoutMs: 60_000 })]);
    await pair({ addr: primary.addr, token: primary.rootToken }, { addr: secondary.addr, token: secondary.rootToken }, 'performance', 'kv-write-path');
    await converged(primary.addr, secondary.addr, 'performance');
  }, 150_000);
  afterAll(async () => {
    await Promise.all([primary?.stop(), secondary?.stop()]);
  });

  it('delete_version_after / metadata changes replicate to a performance secondary unchanged', { timeout: 120_000 }, async () => {
    expect((await on(primary, 'POST', 'secret/data/app', { data: { v: 1 } })).status).toBe(200);
    await waitFor('the first version on the secondary', async () => (await meta(secondary, 'app'))?.current_version === 1);
    // The secondary has now read (and kept) this metadata; every later change must replace it there.
    const change = { max_versions: 4, delete_version_after: '1h30m', custom_metadata: { owner: 'ops' } };
    expect((await on(primary, 'POST', 'secret/metadata/app', change)).status).toBe(204);
    expect((await on(primary, 'POST', 'secret/data/app', { data: { v: 2 } })).status).toBe(200);
    expect((await on(primary, 'PATCH', 'secret/metadata/app', { custom_metadata: { owner: 'sre', tier: '1' } })).status).toBe(204);
    expect((await on(primary, 'POST', 'secret/delete/app', { versions: [1] })).status).toBe(204);
    const want = await meta(primary, 'app');
    expect(want).toMatchObject({ max_versions: 4, delete_version_after: '1h30m0s', custom_metadata: { owner: 'sre', tier: '1' }, current_version: 2 });
    expect(want.versions['2'].deletion_time).not.toBe(''); // scheduled by delete_version_after
    await converged(primary.addr, secondary.addr, 'performance');
    expect(await meta(secondary, 'app')).toEqual(want);

    // A write sent to the secondary is forwarded; the secondary then shows the version the primary made.
    const fwd = await on(secondary, 'POST', 'secret/data/app', { data: { v: 3 }, options: { cas: 2 } });
    expect(fwd.status, JSON.stringify(fwd.body)).toBe(200);
    expect(fwd.body.data.version).toBe(3);
    await waitFor('the forwarded version on the secondary', async () => (await meta(secondary, 'app'))?.current_version === 3);
    await converged(primary.addr, secondary.addr, 'performance');
    expect(await meta(secondary, 'app')).toEqual(await meta(primary, 'app'));
    expect((await on(secondary, 'POST', 'secret/data/app', { data: { v: 4 }, options: { cas: 2 } })).status).toBe(400);
  });
});

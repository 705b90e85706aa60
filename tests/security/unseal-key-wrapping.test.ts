import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, seal as aesSeal } from '../../server/barrier/aes-gcm';
import { combineKey, splitKey } from '../../server/barrier/shamir';
import { api, startConfiguredServer, type ConfiguredServer } from '../support/cluster';
import { enablePrimary, enableSecondary, replStatus, secondaryToken, waitFor, type Mode } from '../support/replication';

// Unseal shares are shares of an UNSEAL key; the root key is random and kept
// only sealed under it (core/cluster/local-seal), as Vault's Shamir seal does.
// Before, the shares were the root key's until the first rekey, and a rekey
// only sealed that same root key under a new unseal key: old shares plus a
// current copy of the data file opened everything offline (the API refused
// them), and a secondary activated after its primary's rekey took the
// primary's PRE-rekey keys. These tests read the data file the way an
// attacker with a copy of it would: SQLite, no server.
const KEYRING = 'core/keyring';
const LOCAL_SEAL = 'core/cluster/local-seal';
const LEGACY_LOCAL_SEAL = 'core/node/local-seal';
const SECRET = 'unseal-key-wrapping-probe-5d1c';

const servers: ConfiguredServer[] = [];
const start = async (name: string, dataDir?: string) => {
  const s = await startConfiguredServer({ name, dataDir, healthTimeoutMs: 90_000 });
  servers.push(s);
  return s;
};
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

const unseal = (s: ConfiguredServer, key: string) => api(s.addr, 'PUT', 'sys/unseal', { body: { key } });
const sealStatus = async (s: ConfiguredServer) => (await api(s.addr, 'GET', 'sys/seal-status')).body;

async function init(s: ConfiguredServer, shares = 3, threshold = 2) {
  const r = await api(s.addr, 'PUT', 'sys/init', { body: { secret_shares: shares, secret_threshold: threshold } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  for (const k of r.body.keys.slice(0, threshold)) await unseal(s, k);
  return { keys: r.body.keys as string[], rootToken: r.body.root_token as string };
}

async function writeSecret(s: ConfiguredServer, token: string) {
  expect((await api(s.addr, 'POST', 'sys/mounts/secret', { token, body: { type: 'kv', options: { version: '2' } } })).status).toBe(204);
  expect((await api(s.addr, 'PUT', 'secret/data/probe', { token, body: { data: { v: SECRET } } })).status).toBe(200);
}
const readSecret = async (s: ConfiguredServer, token: string) => (await api(s.addr, 'GET', 'secret/data/probe', { token })).body?.data?.data?.v;

/** Rekey through the API with `threshold` current keys; returns the new keys. */
async function rekey(s: ConfiguredServer, current: string[], shares = 3, threshold = 2): Promise<string[]> {
  const started = await api(s.addr, 'PUT', 'sys/rekey/init', { body: { secret_shares: shares, secret_threshold: threshold } });
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  let last: Awaited<ReturnType<typeof api>> | null = null;
  for (const key of current) last = await api(s.addr, 'PUT', 'sys/rekey/update', { body: { key, nonce: started.body.nonce } });
  expect(last!.body.complete, JSON.stringify(last!.body)).toBe(true);
  return last!.body.keys;
}

/** A copy of a stopped server's data file, opened with SQLite alone. */
function copyOfDataFile(dataDir: string) {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-stolen-'));
  for (const f of ['coffer.db', 'coffer.db-wal']) if (existsSync(join(dataDir, f))) copyFileSync(join(dataDir, f), join(dir, f));
  return openCopy(dir);
}
function openCopy(dir: string) {
  const db = new Database(join(dir, 'coffer.db'));
  const get = (key: string) => db.prepare<[string], { value: Buffer }>('SELECT value FROM entries WHERE key = ?').get(key)?.value ?? null;
  const all = () => db.prepare<[], { key: string; value: Buffer }>('SELECT key, value FROM entries').all();
  return { db, dir, get, all };
}
const reopen = (copy: { dir: string }) => openCopy(copy.dir);

const combined = (keys: string[]) => combineKey(keys.map((k) => Buffer.from(k, 'hex')));
const tryOpen = (key: Buffer, path: string, ciphertext: Buffer | null) => {
  try {
    return ciphertext ? open(key, path, ciphertext) : null;
  } catch {
    return null;
  }
};
const wrappedRootKey = (raw: Buffer | null) => (raw ? Buffer.from(JSON.parse(raw.toString()).wrappedRootKey, 'base64') : null);

/** Everything an attacker can reach with a key: the keyring (as a root key) or, through the sealed root key, the keyring and every entry. */
function whatOpens(file: ReturnType<typeof copyOfDataFile>, key: Buffer): { keyringAsRootKey: boolean; plaintexts: string[] } {
  const keyringCt = file.get(KEYRING);
  const keyringAsRootKey = tryOpen(key, KEYRING, keyringCt) !== null;
  const rootKey = tryOpen(key, LOCAL_SEAL, wrappedRootKey(file.get(LOCAL_SEAL)));
  const keyring = rootKey ? tryOpen(rootKey, KEYRING, keyringCt) : keyringAsRootKey ? tryOpen(key, KEYRING, keyringCt) : null;
  if (!keyring) return { keyringAsRootKey, plaintexts: [] };
  const terms = JSON.parse(keyring.toString()) as { term: number; key: string }[];
  const plaintexts: string[] = [];
  for (const { key: k, value } of file.all()) {
    const term = value.length > 5 && value[0] === 2 ? value.readUInt32BE(1) : -1;
    const t = terms.find((x) => x.term === term);
    const plain = t ? tryOpen(Buffer.from(t.key, 'base64'), k, value) : null;
    if (plain) plaintexts.push(plain.toString());
  }
  return { keyringAsRootKey, plaintexts };
}

describe('shares of a fresh cluster are not shares of the root key', () => {
  it('the combined shares do not decrypt the keyring directly; only the root key they unwrap does', async () => {
    const s = await start('fresh-shares');
    const { keys, rootToken } = await init(s);
    await writeSecret(s, rootToken);
    await s.stop();
    const file = copyOfDataFile(s.dataDir);
    const unsealKey = await combined(keys.slice(1));
    expect(tryOpen(unsealKey, KEYRING, file.get(KEYRING))).toBeNull();
    const opened = whatOpens(file, unsealKey);
    expect(opened.keyringAsRootKey).toBe(false);
    expect(opened.plaintexts.some((p) => p.includes(SECRET))).toBe(true); // through the sealed root key, as unseal does
    file.db.close();
  }, 180_000);
});

describe('old unseal shares plus a current copy of the data file do not open the barrier after a rekey', () => {
  it('offline: the old shares open neither the keyring nor the sealed root key; the new shares open both', async () => {
    let s = await start('rekey-offline');
    const { keys: oldKeys, rootToken } = await init(s);
    await writeSecret(s, rootToken);
    // A backup taken before the rekey stays openable with the old shares, as in Vault.
    await s.stop();
    const backup = copyOfDataFile(s.dataDir);
    backup.db.close();
    s = await s.restart();
    servers.push(s);
    for (const k of oldKeys.slice(0, 2)) await unseal(s, k);
    const newKeys = await rekey(s, oldKeys.slice(0, 2));
    await s.stop();
    expect(whatOpens(reopen(backup), await combined(oldKeys.slice(0, 2))).plaintexts.some((p) => p.includes(SECRET))).toBe(true);
    const file = copyOfDataFile(s.dataDir);
    const stolen = whatOpens(file, await combined(oldKeys.slice(0, 2)));
    expect(stolen).toEqual({ keyringAsRootKey: false, plaintexts: [] });
    const current = whatOpens(file, await combined(newKeys.slice(1)));
    expect(current.plaintexts.some((p) => p.includes(SECRET))).toBe(true);
    file.db.close();

    // And through the API, on the same file: old shares 400, new shares open it.
    const again = await start('rekey-offline-again', s.dataDir);
    await unseal(again, oldKeys[0]);
    expect((await unseal(again, oldKeys[1])).status).toBe(400);
    for (const k of newKeys.slice(0, 2)) await unseal(again, k);
    expect((await sealStatus(again)).sealed).toBe(false);
    expect(await readSecret(again, rootToken)).toBe(SECRET);
  }, 180_000);
});

describe("a secondary activated after its primary's rekey unseals with the primary's current keys, not the old ones", () => {
  interface KeySet {
    keys: string[];
    n: number;
    t: number;
  }
  let primary: ConfiguredServer;
  let rootToken: string;
  /** The primary's unseal keys over time, newest last: init, then each rekey (alternating 5/3 and 3/2). */
  const history: KeySet[] = [];
  const primaryRekey = async () => {
    const cur = history[history.length - 1];
    const [n, t] = cur.n === 3 ? [5, 3] : [3, 2];
    history.push({ keys: await rekey(primary, cur.keys.slice(0, cur.t), n, t), n, t });
  };
  beforeAll(async () => {
    primary = await start('rekeyed-primary');
    const p = await init(primary);
    rootToken = p.rootToken;
    history.push({ keys: p.keys, n: 3, t: 2 });
    await writeSecret(primary, rootToken);
    await primaryRekey();
    await enablePrimary(primary.addr, rootToken, 'performance');
    await enablePrimary(primary.addr, rootToken, 'dr');
  }, 180_000);

  for (const mode of ['performance', 'dr'] as Mode[]) {
    it(`${mode}: the primary's pre-rekey keys are refused, its current keys open it, and a later primary rekey leaves them in force`, async () => {
      const cur = history[history.length - 1];
      const prev = history[history.length - 2];
      let sec = await start(`${mode}-after-rekey`);
      const own = await init(sec, 1, 1);
      await enableSecondary(sec.addr, own.rootToken, mode, await secondaryToken(primary.addr, rootToken, mode, `${mode}-after-rekey`));
      await waitFor(`${mode} secondary to stream`, async () => (await replStatus(sec.addr, mode)).state === 'stream-wals', 90_000);
      expect(await sealStatus(sec)).toMatchObject({ n: cur.n, t: cur.t });

      await sec.stop();
      sec = await sec.restart();
      servers.push(sec);
      expect(await sealStatus(sec)).toMatchObject({ sealed: true, n: cur.n, t: cur.t });
      expect((await unseal(sec, own.keys[0])).body).toMatchObject({ sealed: true }); // its own 1-of-1 key no longer opens it alone
      await api(sec.addr, 'PUT', 'sys/unseal', { body: { reset: true } });
      const before = prev.keys.slice(0, cur.t);
      for (const k of before.slice(0, -1)) await unseal(sec, k);
      expect((await unseal(sec, before[before.length - 1])).status).toBe(400);
      expect((await sealStatus(sec)).sealed).toBe(true);
      for (const k of cur.keys.slice(0, cur.t)) await unseal(sec, k);
      expect((await sealStatus(sec)).sealed).toBe(false);
      await waitFor(`${mode} secondary to stream again`, async () => (await replStatus(sec.addr, mode)).state === 'stream-wals', 90_000);

      // The primary rekeys again: each cluster keeps its own seal, so this secondary still opens with the keys it took.
      await primaryRekey();
      await sec.stop();
      sec = await sec.restart();
      servers.push(sec);
      expect(await sealStatus(sec)).toMatchObject({ sealed: true, n: cur.n, t: cur.t });
      for (const k of cur.keys.slice(cur.n - cur.t)) await unseal(sec, k);
      expect((await sealStatus(sec)).sealed).toBe(false);
    }, 240_000);
  }
});

describe('a data file from before this change still unseals with its shares', () => {
  // The earlier layout is written by the test from a fresh one (no binary
  // fixture to rot with the schema): the same keyring and data, the seal
  // record gone (never rekeyed: the operators hold shares of the root key) or
  // under core/node/ (rekeyed: the root key sealed under that rekey's key).
  async function earlierBuildFile(name: string, rekeyed: boolean) {
    const s = await start(name);
    const { keys, rootToken } = await init(s);
    await writeSecret(s, rootToken);
    await s.stop();
    const db = new Database(join(s.dataDir, 'coffer.db'));
    const row = db.prepare<[string], { value: Buffer }>('SELECT value FROM entries WHERE key = ?').get(LOCAL_SEAL)!;
    const rootKey = open(await combined(keys.slice(0, 2)), LOCAL_SEAL, wrappedRootKey(row.value)!);
    db.prepare('DELETE FROM entries WHERE key = ?').run(LOCAL_SEAL);
    const rootShares = (await splitKey(rootKey, 3, 2)).map((k) => k.toString('hex'));
    let shares = rootShares;
    if (rekeyed) {
      const unsealKey = randomBytes(32);
      const record = { config: { secret_shares: 2, secret_threshold: 2 }, wrappedRootKey: aesSeal(unsealKey, 0, LEGACY_LOCAL_SEAL, rootKey).toString('base64') };
      db.prepare('INSERT INTO entries (key, value, hash, tree, bucket) VALUES (?, ?, NULL, NULL, NULL)').run(LEGACY_LOCAL_SEAL, Buffer.from(JSON.stringify(record)));
      shares = (await splitKey(unsealKey, 2, 2)).map((x) => x.toString('hex'));
    }
    db.close();
    for (const f of ['coffer.db', 'coffer.db-wal', 'coffer.db-shm']) if (existsSync(join(s.dataDir, f))) chmodSync(join(s.dataDir, f), 0o600);
    return { dataDir: s.dataDir, shares, rootShares, rootToken };
  }

  it('never rekeyed (shares of the root key): they unseal it, it moves to a sealed root key, and one rekey closes the gap', async () => {
    const old = await earlierBuildFile('earlier-build', false);
    const s = await start('earlier-build-upgraded', old.dataDir);
    expect(await sealStatus(s)).toMatchObject({ initialized: true, sealed: true, n: 3, t: 2 });
    for (const k of old.shares.slice(1)) await unseal(s, k);
    expect((await sealStatus(s)).sealed).toBe(false);
    expect(await readSecret(s, old.rootToken)).toBe(SECRET);
    // Sealed and opened again with the same shares, now through core/cluster/local-seal.
    expect((await api(s.addr, 'PUT', 'sys/seal', { token: old.rootToken })).status).toBe(204);
    for (const k of old.shares.slice(0, 2)) await unseal(s, k);
    expect((await sealStatus(s)).sealed).toBe(false);

    // The gap an old cluster keeps until its root key changes, and the one rekey that closes it (no replication here).
    const newKeys = await rekey(s, old.shares.slice(0, 2));
    expect(await readSecret(s, old.rootToken)).toBe(SECRET);
    await s.stop();
    const file = copyOfDataFile(old.dataDir);
    expect(file.get(LOCAL_SEAL)).not.toBeNull();
    expect(whatOpens(file, await combined(old.rootShares.slice(0, 2)))).toEqual({ keyringAsRootKey: false, plaintexts: [] });
    expect(whatOpens(file, await combined(newKeys.slice(0, 2))).plaintexts.some((p) => p.includes(SECRET))).toBe(true);
    file.db.close();
  }, 180_000);

  it('rekeyed by an earlier build (core/node/local-seal): its shares unseal it and the seal moves to core/cluster/', async () => {
    const old = await earlierBuildFile('earlier-rekeyed', true);
    const s = await start('earlier-rekeyed-upgraded', old.dataDir);
    expect(await sealStatus(s)).toMatchObject({ sealed: true, n: 2, t: 2 });
    for (const k of old.shares) await unseal(s, k);
    expect((await sealStatus(s)).sealed).toBe(false);
    expect(await readSecret(s, old.rootToken)).toBe(SECRET);
    await s.stop();
    const file = copyOfDataFile(old.dataDir);
    expect(file.get(LEGACY_LOCAL_SEAL)).toBeNull();
    expect(JSON.parse(file.get(LOCAL_SEAL)!.toString())).toMatchObject({ config: { secret_shares: 2, secret_threshold: 2 }, rootKeyShared: true });
    expect(whatOpens(file, await combined(old.shares)).plaintexts.some((p) => p.includes(SECRET))).toBe(true);
    file.db.close();
  }, 180_000);
});

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Rekey } from '../core/rekey';
import { SealManager } from '../core/seal-manager';
import { SqliteBackend } from '../storage/sqlite';
import { seal as aesSeal, open } from './aes-gcm';
import { Barrier, KEYRING_PATH } from './barrier';
import { LEGACY_LOCAL_SEAL_PATH, LOCAL_SEAL_PATH, parseLocalSeal, rootKeyFrom } from './local-seal';
import { combineKey, splitKey } from './shamir';

// The Shamir seal on real SQLite (:memory:): shares → unseal key → root key
// (sealed under it) → keyring; data files of earlier builds, whose shares were
// the root key's, still open and move to the new layout at unseal.
const CONFIG = { secret_shares: 3, secret_threshold: 2 };

function cluster() {
  const physical = new SqliteBackend({ path: ':memory:' });
  const barrier = new Barrier(physical);
  const seal = new SealManager(barrier, { setupNew: () => 'root', afterUnseal: () => {}, beforeSeal: () => {} });
  return { physical, barrier, seal };
}

const opensKeyring = (physical: SqliteBackend, key: Buffer) => {
  try {
    open(key, KEYRING_PATH, physical.get(KEYRING_PATH)!);
    return true;
  } catch {
    return false;
  }
};

async function unsealWith(seal: SealManager, keys: string[]) {
  for (const k of keys) await seal.unseal(k);
}

/** The layout an earlier build wrote: the keyring under a root key whose shares went to the operators; rekeyed, the root key sealed under core/node/. */
async function legacyCluster(rekeyed: boolean) {
  const c = cluster();
  const rootKey = c.barrier.initialize(CONFIG); // no unseal key: the earlier build's init
  const rootShares = await splitKey(rootKey, CONFIG.secret_shares, CONFIG.secret_threshold);
  let shares = rootShares;
  if (rekeyed) {
    const unsealKey = randomBytes(32);
    const record = { config: { secret_shares: 2, secret_threshold: 2 }, wrappedRootKey: aesSeal(unsealKey, 0, LEGACY_LOCAL_SEAL_PATH, rootKey).toString('base64') };
    c.physical.put(LEGACY_LOCAL_SEAL_PATH, Buffer.from(JSON.stringify(record)));
    shares = await splitKey(unsealKey, 2, 2);
  }
  return { ...c, rootKey, rootShares: rootShares.map((s) => s.toString('hex')), keys: shares.map((s) => s.toString('hex')) };
}

describe('Shamir seal: shares of an unseal key', () => {
  it('a fresh cluster: the combined shares do not open the keyring; the root key they unwrap does', async () => {
    const { physical, barrier, seal } = cluster();
    const init = await seal.init(CONFIG);
    const unsealKey = await combineKey(init.keys.slice(0, 2).map((k) => Buffer.from(k, 'hex')));
    expect(opensKeyring(physical, unsealKey)).toBe(false);
    const rootKey = rootKeyFrom(physical, unsealKey);
    expect(rootKey.equals(unsealKey)).toBe(false);
    expect(opensKeyring(physical, rootKey)).toBe(true);
    expect(parseLocalSeal(physical.get(LOCAL_SEAL_PATH)!)).toMatchObject({ config: CONFIG });
    expect(parseLocalSeal(physical.get(LOCAL_SEAL_PATH)!).rootKeyShared).toBeUndefined();
    await unsealWith(seal, init.keys.slice(1));
    expect(barrier.sealed).toBe(false);
  });

  it('wrong shares answer 400 Unseal failed, invalid key and leave it sealed', async () => {
    const { barrier, seal } = cluster();
    await seal.init(CONFIG);
    const wrong = await splitKey(randomBytes(32), 3, 2);
    await seal.unseal(wrong[0].toString('hex'));
    await expect(seal.unseal(wrong[1].toString('hex'))).rejects.toMatchObject({ status: 400, message: 'Unseal failed, invalid key' });
    expect(barrier.sealed).toBe(true);
  });

  for (const rekeyed of [false, true]) {
    it(`a data file from an earlier build (${rekeyed ? 'rekeyed: core/node/local-seal' : 'never rekeyed: shares of the root key'}) unseals with its shares and moves to core/cluster/local-seal`, async () => {
      const { physical, barrier, seal, keys } = await legacyCluster(rekeyed);
      await unsealWith(seal, keys.slice(0, 2));
      expect(barrier.sealed).toBe(false);
      expect(physical.get(LEGACY_LOCAL_SEAL_PATH)).toBeNull();
      const moved = parseLocalSeal(physical.get(LOCAL_SEAL_PATH)!);
      expect(moved.rootKeyShared).toBe(true);
      expect(moved.config).toEqual(rekeyed ? { secret_shares: 2, secret_threshold: 2 } : CONFIG);
      expect(seal.status({}).n).toBe(rekeyed ? 2 : 3);
      // The same shares, again, after the move.
      seal.seal();
      await unsealWith(seal, keys.slice(0, 2));
      expect(barrier.sealed).toBe(false);
    });
  }

  it('one rekey of an old cluster outside replication replaces its root key: the root-key shares open nothing after', async () => {
    const { physical, barrier, seal, keys, rootKey } = await legacyCluster(false);
    await unsealWith(seal, keys.slice(0, 2));
    barrier.put('logical/x', Buffer.from('kept'));
    const rekey = new Rekey(barrier, { holdsKeyringAlone: () => true });
    const { nonce } = rekey.start({ secret_shares: 1, secret_threshold: 1 }) as { nonce: string };
    await rekey.update({ key: keys[0], nonce });
    const done = (await rekey.update({ key: keys[1], nonce })) as { keys: string[] };
    expect(opensKeyring(physical, rootKey)).toBe(false);
    expect(parseLocalSeal(physical.get(LOCAL_SEAL_PATH)!).rootKeyShared).toBeUndefined();
    expect(barrier.get('logical/x')?.toString()).toBe('kept'); // the live barrier follows the new root key
    seal.seal();
    await expect(unsealWith(seal, keys.slice(0, 2))).rejects.toMatchObject({ status: 400 });
    await seal.unseal(done.keys[0]);
    expect(barrier.get('logical/x')?.toString()).toBe('kept');
  });

  it('in a replication set the rekey keeps the root key (its secondaries open only it) and says so', async () => {
    const { physical, barrier, seal, keys, rootKey } = await legacyCluster(false);
    await unsealWith(seal, keys.slice(0, 2));
    let kept = 0;
    const rekey = new Rekey(barrier, { holdsKeyringAlone: () => false, rootKeyKept: () => kept++ });
    const { nonce } = rekey.start({ secret_shares: 1, secret_threshold: 1 }) as { nonce: string };
    await rekey.update({ key: keys[0], nonce });
    const done = (await rekey.update({ key: keys[2], nonce })) as { keys: string[] };
    expect(kept).toBe(1);
    expect(opensKeyring(physical, rootKey)).toBe(true);
    expect(parseLocalSeal(physical.get(LOCAL_SEAL_PATH)!).rootKeyShared).toBe(true);
    seal.seal();
    await seal.unseal(done.keys[0]);
    expect(barrier.sealed).toBe(false);
  });
});

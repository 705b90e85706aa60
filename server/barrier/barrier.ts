import { randomBytes } from 'node:crypto';
import type { StorageOp } from '../storage/backend';
import type { SqliteBackend } from '../storage/sqlite';
import { sealedError } from '../errors';
import { open, seal, termOf } from './aes-gcm';
import { Keyring } from './keyring';
import { ValueCache } from './value-cache';
import { localSealConfig, localSealOps } from './local-seal';

// Paths the barrier owns. The keyring is encrypted with the root key (which
// is itself stored sealed under the unseal key the shares reconstruct:
// local-seal.ts); the seal config is plaintext because it is needed while
// sealed. Both replicate, so a secondary shares the primary's keyring.
export const KEYRING_PATH = 'core/keyring';
export const SEAL_CONFIG_PATH = 'core/seal-config';
const ROOT_KEY_TERM = 0;

export interface SealConfig {
  secret_shares: number;
  secret_threshold: number;
}

export { BARRIER_CACHE_BYTES } from './value-cache';

/**
 * Plaintext view over encrypted physical storage (vault/barrier_aes_gcm.go).
 * Decrypted values are cached (bounded, dropped on seal) and invalidated by
 * the physical layer's change notifications, which also cover replicated
 * writes applied below the barrier.
 */
export class Barrier {
  private keyring: Keyring | null = null;
  private rootKey: Buffer | null = null;
  /** Decrypted values, bounded in bytes (value-cache.ts BARRIER_CACHE_BYTES). */
  private readonly cache = new ValueCache();

  constructor(readonly physical: SqliteBackend) {
    // Tier 'cache' on storage's change bus: owners that rebuild from storage
    // (mount table, token salt, …) hear the same change after this cache has
    // dropped it and the keyring has been followed.
    physical.changes.subscribe(
      '',
      (keys) => {
        if (keys === null || keys.includes(KEYRING_PATH)) this.keyringChanged();
        if (keys === null) this.cache.clear();
        else for (const k of keys) this.cache.delete(k);
      },
      'cache',
    );
  }

  /** The stored keyring changed (replicated rotation, rolled-back commit): follow it while our root key opens it. */
  private keyringChanged(): void {
    if (!this.rootKey) return;
    try {
      this.unseal(this.rootKey);
    } catch {
      // A bootstrap's keyring, sealed by the primary's root key: adopted with it right after.
    }
  }

  get sealed(): boolean {
    return this.keyring === null;
  }

  initialized(): boolean {
    return this.physical.get(SEAL_CONFIG_PATH) !== null;
  }

  sealConfig(): SealConfig | null {
    const local = localSealConfig(this.physical); // this cluster's own shares (the replicated one: data files from before unseal keys)
    if (local) return local;
    const raw = this.physical.get(SEAL_CONFIG_PATH);
    return raw ? (JSON.parse(raw.toString()) as SealConfig) : null;
  }

  /**
   * Write a fresh keyring under a new random root key, and (given the unseal
   * key the shares will be made of) that root key sealed under it, in one
   * transaction. Returns the root key. Without an unseal key the root key
   * itself would be what is split: only unit tests of the barrier do that.
   */
  initialize(config: SealConfig, unsealKey?: Buffer): Buffer {
    const rootKey = randomBytes(32);
    const keyring = Keyring.create();
    this.physical.transaction([
      { op: 'put', key: SEAL_CONFIG_PATH, value: Buffer.from(JSON.stringify(config)) },
      { op: 'put', key: KEYRING_PATH, value: seal(rootKey, ROOT_KEY_TERM, KEYRING_PATH, keyring.serialize()) },
      ...(unsealKey ? localSealOps(this.physical, config, unsealKey, rootKey) : []),
    ]);
    return rootKey;
  }

  /**
   * Re-seal the keyring under a new random root key, committed with
   * `alsoOps(rootKey)` (it sealed under the unseal key) in one transaction. Only for a
   * cluster that holds its keyring alone: a replication secondary's seal
   * still opens the old root key only.
   */
  replaceRootKey(alsoOps: (rootKey: Buffer) => StorageOp[]): void {
    const keyring = this.requireKeyring();
    const prev = this.rootKey!;
    const next = randomBytes(32);
    // Set first: the keyring change notification re-opens it with this key.
    this.rootKey = next;
    try {
      this.physical.transaction([{ op: 'put', key: KEYRING_PATH, value: seal(next, ROOT_KEY_TERM, KEYRING_PATH, keyring.serialize()) }, ...alsoOps(next)]);
    } catch (err) {
      this.rootKey.fill(0);
      this.rootKey = prev;
      throw err;
    }
    prev.fill(0);
  }

  /** Decrypt the keyring with a candidate root key. Throws if it is wrong. */
  unseal(rootKey: Buffer): void {
    const raw = this.physical.get(KEYRING_PATH);
    if (!raw) throw new Error('keyring missing: storage is not initialized');
    let plain: Buffer;
    try {
      plain = open(rootKey, KEYRING_PATH, raw);
    } catch (cause) {
      throw new Error('failed to decrypt keyring: wrong unseal keys', { cause });
    }
    this.keyring = Keyring.deserialize(plain);
    this.rootKey = Buffer.from(rootKey);
  }

  /** Does the root key this node is unsealed with open this keyring ciphertext? (snapshot restore checks with it.) */
  opensKeyring(keyringCiphertext: Buffer): boolean {
    if (!this.rootKey) throw sealedError();
    try {
      open(this.rootKey, KEYRING_PATH, keyringCiphertext);
      return true;
    } catch {
      return false;
    }
  }

  /** Does this root key open the keyring? (generate-root checks shares with it.) */
  verifyRootKey(rootKey: Buffer): boolean {
    const raw = this.physical.get(KEYRING_PATH);
    if (!raw) return false;
    try {
      open(rootKey, KEYRING_PATH, raw);
      return true;
    } catch {
      return false;
    }
  }

  seal(): void {
    this.cache.clear();
    this.keyring = null;
    this.rootKey?.fill(0);
    this.rootKey = null;
  }

  /**
   * Replication bootstrap: open a primary's keyring with its root key (throws
   * if they do not match) and return an encrypt function under its active
   * term, so what this node keeps can be re-sealed in the same transaction
   * that writes that keyring. Adopt it afterwards with unseal(rootKey).
   */
  static sealerFor(rootKey: Buffer, keyringCiphertext: Buffer): (key: string, plaintext: Buffer) => Buffer {
    let keyring: Keyring;
    try {
      keyring = Keyring.deserialize(open(rootKey, KEYRING_PATH, keyringCiphertext));
    } catch (cause) {
      throw new Error("the primary's root key does not open the keyring it sent", { cause });
    }
    const { term, key: k } = keyring.active;
    return (key, plaintext) => seal(k, term, key, plaintext);
  }

  /** The root key, for handing to a new secondary over mTLS only. */
  exportRootKey(): Buffer {
    if (!this.rootKey) throw sealedError();
    return Buffer.from(this.rootKey);
  }

  rotate(): { term: number; installTime: string } {
    const next = this.requireKeyring().rotate();
    this.physical.put(KEYRING_PATH, seal(this.rootKey!, ROOT_KEY_TERM, KEYRING_PATH, next.serialize()));
    this.keyring = next;
    return { term: next.active.term, installTime: next.active.installTime };
  }

  keyStatus(): { term: number; installTime: string } {
    const a = this.requireKeyring().active;
    return { term: a.term, installTime: a.installTime };
  }

  get(key: string): Buffer | null {
    const keyring = this.requireKeyring();
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const raw = this.physical.get(key);
    let plain: Buffer | null = null;
    if (raw) {
      const k = keyring.termKey(termOf(raw));
      if (!k) throw new Error(`no key for term ${termOf(raw)} at ${key}`);
      plain = open(k, key, raw);
    }
    this.cache.set(key, plain);
    return plain;
  }

  encrypt(key: string, plaintext: Buffer): Buffer {
    const { term, key: k } = this.requireKeyring().active;
    return seal(k, term, key, plaintext);
  }

  /** Decrypt a ciphertext produced by encrypt(path, …) that was not stored (batch tokens). */
  decrypt(path: string, ciphertext: Buffer): Buffer {
    const keyring = this.requireKeyring();
    const k = keyring.termKey(termOf(ciphertext));
    if (!k) throw new Error(`no key for term ${termOf(ciphertext)}`);
    return open(k, path, ciphertext);
  }

  put(key: string, plaintext: Buffer): void {
    this.physical.put(key, this.encrypt(key, plaintext));
  }

  delete(key: string): void {
    this.requireKeyring();
    this.physical.delete(key);
  }

  list(prefix: string): string[] {
    this.requireKeyring();
    return this.physical.list(prefix);
  }

  /** Several plaintext writes in one storage transaction. */
  transaction(ops: StorageOp[]): void {
    this.requireKeyring();
    this.physical.transaction(ops.map((o) => (o.op === 'put' ? { ...o, value: this.encrypt(o.key, o.value) } : o)));
  }

  getJSON<T>(key: string): T | null {
    const text = this.getText(key);
    return text === null ? null : (JSON.parse(text) as T);
  }

  /** A value as UTF-8 text; from the cache with no Buffer made (the hot read path). */
  getText(key: string): string | null {
    this.requireKeyring(); // sealed: refused, as get() refuses
    const cached = this.cache.getText(key);
    if (cached !== undefined) return cached;
    return this.get(key)?.toString() ?? null;
  }

  putJSON(key: string, value: unknown): void {
    this.put(key, Buffer.from(JSON.stringify(value)));
  }

  private requireKeyring(): Keyring {
    if (!this.keyring) throw sealedError();
    return this.keyring;
  }
}

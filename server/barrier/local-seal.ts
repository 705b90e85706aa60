import type { StorageOp } from '../storage/backend';
import type { SqliteBackend } from '../storage/sqlite';
import { VaultError } from '../errors';
import { open, seal } from './aes-gcm';
import type { SealConfig } from './barrier';

// This cluster's Shamir seal, as in Vault: the operators' shares reconstruct an
// UNSEAL key; the root key (which opens the keyring) is random and stored only
// sealed (AES-GCM) under that unseal key, here. A rekey makes a new unseal key
// and re-seals the same root key, so old shares open nothing in the current
// storage (an old backup still opens with the old shares, as in Vault).
//
// core/cluster/ is class `ignored`: never shipped to performance or DR
// secondaries (each cluster keeps its own seal; a secondary takes its
// primary's at bootstrap, over mTLS), but carried between the HA nodes of one
// cluster. Earlier builds kept shares of the root key itself (no entry), or,
// after a rekey, this record under core/node/ (LEGACY_LOCAL_SEAL_PATH); both
// still open with their shares and are moved here at unseal (migrateLocalSeal).
export const LOCAL_SEAL_PATH = 'core/cluster/local-seal';
export const LEGACY_LOCAL_SEAL_PATH = 'core/node/local-seal';
export const UNSEAL_KEY_BYTES = 32;
const LOCAL_SEAL_TERM = 0;

export interface LocalSeal {
  config: SealConfig;
  /** base64 of the root key sealed (AES-GCM, the record's path as additional data) under the unseal key. */
  wrappedRootKey: string;
  /**
   * The root key was once handed out as shares (a data file from before
   * unseal keys): whoever kept those shares opens this storage until the root
   * key itself changes, which the next rekey does where it can (rekey.ts).
   */
  rootKeyShared?: boolean;
}

interface Found {
  path: string;
  seal: LocalSeal;
}

function find(physical: SqliteBackend): Found | null {
  for (const path of [LOCAL_SEAL_PATH, LEGACY_LOCAL_SEAL_PATH]) {
    const raw = physical.get(path);
    if (raw) return { path, seal: parseLocalSeal(raw) };
  }
  return null;
}

/** A stored (or shipped) record, checked for shape: a malformed one is an error, never an empty seal. */
export function parseLocalSeal(raw: Buffer): LocalSeal {
  const v = JSON.parse(raw.toString()) as LocalSeal;
  const c = v?.config;
  if (!c || !Number.isInteger(c.secret_shares) || !Number.isInteger(c.secret_threshold) || typeof v.wrappedRootKey !== 'string')
    throw new Error('malformed local seal record');
  return v;
}

/** This cluster's share configuration, or null on a data file from before unseal keys (the replicated one applies). */
export function localSealConfig(physical: SqliteBackend): SealConfig | null {
  return find(physical)?.seal.config ?? null;
}

/** Was this cluster's root key ever given out as shares? (true on a data file from before unseal keys.) */
export function rootKeyWasShared(physical: SqliteBackend): boolean {
  const f = find(physical);
  return !f || f.path === LEGACY_LOCAL_SEAL_PATH || f.seal.rootKeyShared === true;
}

/** The root key the combined shares stand for. Throws (400) when they do not open this cluster's seal. */
export function rootKeyFrom(physical: SqliteBackend, unsealKey: Buffer): Buffer {
  const f = find(physical);
  if (!f) return Buffer.from(unsealKey); // before unseal keys: the shares were the root key's
  try {
    return open(unsealKey, f.path, Buffer.from(f.seal.wrappedRootKey, 'base64'));
  } catch (cause) {
    throw new VaultError('invalid_request', 'Unseal failed, invalid key', { cause });
  }
}

/** The ops that install a seal: `rootKey` sealed under `unsealKey`, shares per `config`; a legacy record goes. */
export function localSealOps(physical: SqliteBackend, config: SealConfig, unsealKey: Buffer, rootKey: Buffer, rootKeyShared = false): StorageOp[] {
  const wrapped = seal(unsealKey, LOCAL_SEAL_TERM, LOCAL_SEAL_PATH, rootKey);
  const value: LocalSeal = { config, wrappedRootKey: wrapped.toString('base64'), ...(rootKeyShared ? { rootKeyShared } : {}) };
  return [{ op: 'put', key: LOCAL_SEAL_PATH, value: Buffer.from(JSON.stringify(value)) }, ...dropLegacyOps(physical)];
}

export function writeLocalSeal(physical: SqliteBackend, config: SealConfig, unsealKey: Buffer, rootKey: Buffer, rootKeyShared = false): void {
  physical.transaction(localSealOps(physical, config, unsealKey, rootKey, rootKeyShared));
}

/** A secondary takes its primary's seal as shipped: the record goes in unchanged (its additional data is the same path). */
export function adoptedSealOps(physical: SqliteBackend, record: Buffer): StorageOp[] {
  parseLocalSeal(record);
  return [{ op: 'put', key: LOCAL_SEAL_PATH, value: record }, ...dropLegacyOps(physical)];
}

function dropLegacyOps(physical: SqliteBackend): StorageOp[] {
  return physical.get(LEGACY_LOCAL_SEAL_PATH) ? [{ op: 'delete', key: LEGACY_LOCAL_SEAL_PATH }] : [];
}

/**
 * Unseal of a data file from before unseal keys: store the root key sealed
 * under the key the operator's shares make (the root key itself when the
 * cluster was never rekeyed), so the shares stay the same and from here on
 * open the record, not the keyring. Marked rootKeyShared: the gap closes when
 * the root key changes (the next rekey of a cluster outside replication).
 * Returns false when there was nothing to move.
 */
export function migrateLocalSeal(physical: SqliteBackend, fallbackConfig: SealConfig, unsealKey: Buffer, rootKey: Buffer): boolean {
  if (physical.get(LOCAL_SEAL_PATH)) return false;
  const config = find(physical)?.seal.config ?? fallbackConfig;
  writeLocalSeal(physical, config, unsealKey, rootKey, true);
  return true;
}

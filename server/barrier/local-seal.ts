import type { SqliteBackend } from '../storage/sqlite';
import { VaultError } from '../errors';
import { open, seal } from './aes-gcm';
import type { SealConfig } from './barrier';

// This cluster's own unseal keys after a rekey (vault/rekey.go; Vault's
// Shamir seal keeps the root key encrypted by the unseal key). Until the
// first rekey the shares reconstruct the root key itself; a rekey makes a
// new unseal key, splits THAT, and stores the root key sealed under it here.
// The key is under core/node/ (class ignored): it never replicates, so a
// rekey changes this cluster's unseal keys only, and its secondaries keep
// their own seal. The replicated keyring stays under the same root key, so
// secondaries still open everything shipped to them.
export const LOCAL_SEAL_PATH = 'core/node/local-seal';
const LOCAL_SEAL_TERM = 0;

interface LocalSeal {
  config: SealConfig;
  /** base64 of the root key sealed (AES-GCM) under the unseal key. */
  wrappedRootKey: string;
}

function read(physical: SqliteBackend): LocalSeal | null {
  const raw = physical.get(LOCAL_SEAL_PATH);
  return raw ? (JSON.parse(raw.toString()) as LocalSeal) : null;
}

/** The share configuration of a rekeyed cluster, or null (the replicated one applies). */
export function localSealConfig(physical: SqliteBackend): SealConfig | null {
  return read(physical)?.config ?? null;
}

/** The root key the combined shares stand for. Throws (400) when they do not open this cluster's seal. */
export function rootKeyFrom(physical: SqliteBackend, unsealKey: Buffer): Buffer {
  const local = read(physical);
  if (!local) return Buffer.from(unsealKey);
  try {
    return open(unsealKey, LOCAL_SEAL_PATH, Buffer.from(local.wrappedRootKey, 'base64'));
  } catch (cause) {
    throw new VaultError('invalid_request', 'Unseal failed, invalid key', { cause });
  }
}

/** Install new unseal keys: the root key sealed under `unsealKey`, shares per `config`. */
export function writeLocalSeal(physical: SqliteBackend, config: SealConfig, unsealKey: Buffer, rootKey: Buffer): void {
  const wrapped = seal(unsealKey, LOCAL_SEAL_TERM, LOCAL_SEAL_PATH, rootKey);
  const value: LocalSeal = { config, wrappedRootKey: wrapped.toString('base64') };
  physical.put(LOCAL_SEAL_PATH, Buffer.from(JSON.stringify(value)));
}

/** A secondary adopting its primary's root key also adopts its unseal keys: this node's own seal goes. */
export function dropLocalSeal(physical: SqliteBackend): void {
  if (physical.get(LOCAL_SEAL_PATH)) physical.delete(LOCAL_SEAL_PATH);
}

import type { StorageView } from '../../core/storage-view';
import { badRequest } from '../../errors';
import type { KeyType } from './key-types';

// A named transit key ("policy" in Vault's keysutil): its settings and every
// key version, stored as one JSON record under `policy/<name>` in the mount's
// storage view — behind the barrier, so the material is encrypted at rest and
// replicates to performance and DR secondaries like any mount data. Handlers
// read the record per request (no cache to invalidate when replication
// rewrites it) and write it back whole; Node runs each handler's
// read-modify-write without interleaving once the slow key generation is done.

export const POLICY_PREFIX = 'policy/';

/** One key version (keysutil.KeyEntry, reshaped for Node's key objects). */
export interface KeyVersion {
  /** AEAD key, base64 (symmetric types only). */
  key?: string;
  /** Private key as PKCS#8 DER, base64 (asymmetric types only). */
  private_key?: string;
  /** The public key as Vault shows it: PEM for ECDSA/RSA, base64 for ed25519. */
  public_key?: string;
  /** Per-version HMAC key, base64 (Vault gives every version one). */
  hmac_key: string;
  /** RFC 3339 creation time. */
  time: string;
  /** Unix seconds: what Vault shows for symmetric keys. */
  creation_time: number;
}

export interface KeyPolicy {
  name: string;
  type: KeyType;
  latest_version: number;
  min_decryption_version: number;
  /** 0 = use the latest version. */
  min_encryption_version: number;
  min_available_version: number;
  deletion_allowed: boolean;
  exportable: boolean;
  allow_plaintext_backup: boolean;
  /** Seconds; 0 = never (kept and shown; no rotation is scheduled here). */
  auto_rotate_period: number;
  keys: Record<string, KeyVersion>;
}

/** Vault's framework.GenericNameRegex: a word character at each end, word characters, '-', '.', '@' between. */
export const KEY_NAME = /^\w(?:[\w.@-]*\w)?$/;

export class PolicyStore {
  constructor(private readonly storage: StorageView) {}

  get(name: string): KeyPolicy | null {
    return KEY_NAME.test(name) ? this.storage.getJSON<KeyPolicy>(POLICY_PREFIX + name) : null;
  }

  /** The key, or Vault's 400 for operations on a key that is not there. */
  require(name: string, message = 'encryption key not found'): KeyPolicy {
    const p = this.get(name);
    if (!p) throw badRequest(message);
    return p;
  }

  put(p: KeyPolicy): void {
    this.storage.putJSON(POLICY_PREFIX + p.name, p);
  }

  delete(name: string): void {
    this.storage.delete(POLICY_PREFIX + name);
  }

  list(): string[] {
    return this.storage.list(POLICY_PREFIX).filter((k) => !k.endsWith('/'));
  }
}

/** The key version an operation names: 0 = latest. */
export function versionEntry(p: KeyPolicy, version: number): KeyVersion {
  const entry = p.keys[String(version)];
  if (!entry) throw badRequest('no such key version');
  return entry;
}

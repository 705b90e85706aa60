import { badRequest } from '../../errors';
import { newKeyVersion } from './key-material';
import type { KeyType } from './key-types';
import { KEY_NAME, type KeyPolicy, type PolicyStore } from './policy';

// Creating and rotating keys (keysutil lock_manager GetPolicy upsert, Rotate).
// The new version's material is made first (asynchronously: RSA takes time),
// then the record is re-read and written in one synchronous step, so a
// concurrent rotate can never be lost and the version numbers stay dense.

export interface CreateOptions {
  type: KeyType;
  exportable: boolean;
  allowPlaintextBackup: boolean;
  autoRotatePeriod: number;
}

export function checkKeyName(name: string): void {
  if (!KEY_NAME.test(name)) throw badRequest(`invalid key name ${JSON.stringify(name)}`);
}

/** Create the key unless it exists; returns the stored key and whether this call made it. */
export async function upsertKey(store: PolicyStore, name: string, opts: CreateOptions): Promise<{ policy: KeyPolicy; created: boolean }> {
  checkKeyName(name);
  const existing = store.get(name);
  if (existing) return { policy: existing, created: false };
  const first = await newKeyVersion(opts.type);
  const raced = store.get(name);
  if (raced) return { policy: raced, created: false };
  const policy: KeyPolicy = {
    name,
    type: opts.type,
    latest_version: 1,
    min_decryption_version: 1,
    min_encryption_version: 0,
    min_available_version: 0,
    deletion_allowed: false,
    exportable: opts.exportable,
    allow_plaintext_backup: opts.allowPlaintextBackup,
    auto_rotate_period: opts.autoRotatePeriod,
    keys: { '1': first },
  };
  store.put(policy);
  return { policy, created: true };
}

/** Add a new latest version. */
export async function rotateKey(store: PolicyStore, name: string): Promise<KeyPolicy> {
  const before = store.require(name, 'key not found');
  const next = await newKeyVersion(before.type);
  const p = store.require(name, 'key not found');
  p.latest_version += 1;
  p.keys[String(p.latest_version)] = next;
  store.put(p);
  return p;
}

/** Refuse what this server does not build, with the reason (Vault's own refusal first). */
export function refuseDerived(derived: boolean, convergent: boolean): void {
  if (!derived && convergent) throw badRequest('convergent encryption requires derivation to be enabled');
  if (derived) throw badRequest('key derivation ("derived": true) is not supported by this server; create the key without it');
}


import { KEY_TRAITS } from './key-types';
import type { KeyPolicy } from './policy';

// A key as `GET keys/:name` shows it (path_keys.go formatKeyPolicy): the
// settings, what the type supports, and per version either its creation time
// (symmetric) or its public key (asymmetric). Never the private material.

/** The per-version `name` Vault shows for asymmetric keys. */
function versionName(p: KeyPolicy): string {
  const t = KEY_TRAITS[p.type];
  if (t.family === 'ecdsa') return t.curve!;
  return p.type; // "ed25519", "rsa-2048", ...
}

export function keyView(p: KeyPolicy): Record<string, unknown> {
  const t = KEY_TRAITS[p.type];
  const keys: Record<string, unknown> = {};
  for (const [v, entry] of Object.entries(p.keys)) {
    if (Number(v) < p.min_decryption_version) continue; // archived in Vault: not shown
    keys[v] =
      t.family === 'aead'
        ? entry.creation_time
        : { name: versionName(p), public_key: entry.public_key ?? '', certificate_chain: '', creation_time: entry.time };
  }
  return {
    name: p.name,
    type: p.type,
    derived: false,
    deletion_allowed: p.deletion_allowed,
    min_available_version: p.min_available_version,
    min_decryption_version: p.min_decryption_version,
    min_encryption_version: p.min_encryption_version,
    latest_version: p.latest_version,
    exportable: p.exportable,
    allow_plaintext_backup: p.allow_plaintext_backup,
    supports_encryption: t.encryption,
    supports_decryption: t.encryption,
    supports_signing: t.signing,
    supports_derivation: t.derivation,
    auto_rotate_period: p.auto_rotate_period,
    imported_key: false,
    keys,
  };
}

import { badRequest } from '../../errors';

// The transit key types this server makes, with what each can do
// (sdk/helper/keysutil/policy.go KeyType.*Supported). Every operation asks
// this table, never a string comparison of its own.

export const KEY_TYPES = [
  'aes128-gcm96',
  'aes256-gcm96',
  'chacha20-poly1305',
  'ed25519',
  'ecdsa-p256',
  'ecdsa-p384',
  'ecdsa-p521',
  'rsa-2048',
  'rsa-3072',
  'rsa-4096',
] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export const DEFAULT_KEY_TYPE: KeyType = 'aes256-gcm96';

export type KeyFamily = 'aead' | 'ed25519' | 'ecdsa' | 'rsa';

export interface KeyTraits {
  family: KeyFamily;
  /** Symmetric key length in bytes (AEAD), RSA modulus bits, or the EC curve. */
  size: number;
  curve?: 'P-256' | 'P-384' | 'P-521';
  encryption: boolean;
  signing: boolean;
  /** Vault's supports_derivation (reported; derived keys themselves are refused here). */
  derivation: boolean;
  /** Sign/verify hash the input first (everything but ed25519, which hashes internally). */
  hashesInput: boolean;
}

const aead = (size: number): KeyTraits => ({ family: 'aead', size, encryption: true, signing: false, derivation: true, hashesInput: false });
const ecdsa = (curve: 'P-256' | 'P-384' | 'P-521'): KeyTraits => ({ family: 'ecdsa', size: 0, curve, encryption: false, signing: true, derivation: false, hashesInput: true });
const rsa = (bits: number): KeyTraits => ({ family: 'rsa', size: bits, encryption: true, signing: true, derivation: false, hashesInput: true });

export const KEY_TRAITS: Record<KeyType, KeyTraits> = {
  'aes128-gcm96': aead(16),
  'aes256-gcm96': aead(32),
  'chacha20-poly1305': aead(32),
  ed25519: { family: 'ed25519', size: 0, encryption: false, signing: true, derivation: true, hashesInput: false },
  'ecdsa-p256': ecdsa('P-256'),
  'ecdsa-p384': ecdsa('P-384'),
  'ecdsa-p521': ecdsa('P-521'),
  'rsa-2048': rsa(2048),
  'rsa-3072': rsa(3072),
  'rsa-4096': rsa(4096),
};

/** Types Vault has that this server does not make: named, so the refusal says why. */
const NOT_BUILT = new Set(['hmac', 'managed_key', 'aes128-cmac', 'aes192-cmac', 'aes256-cmac', 'ml-dsa', 'hybrid', 'slh-dsa']);

export function isKeyType(s: string): s is KeyType {
  return (KEY_TYPES as readonly string[]).includes(s);
}

/** A key type by name, or Vault's 400 "unknown key type X". */
export function parseKeyType(s: string): KeyType {
  if (isKeyType(s)) return s;
  if (NOT_BUILT.has(s)) throw badRequest(`key type ${s} is not supported by this server`);
  throw badRequest(`unknown key type ${s}`);
}

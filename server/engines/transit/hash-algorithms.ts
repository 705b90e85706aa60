import { badRequest } from '../../errors';

// Vault's hash algorithm names (keysutil.HashTypeMap) → Node's digest names.
// sha1 is for signatures only; hash and hmac take the sha2/sha3 families.

export const HASHES: Record<string, string> = {
  sha1: 'sha1',
  'sha2-224': 'sha224',
  'sha2-256': 'sha256',
  'sha2-384': 'sha384',
  'sha2-512': 'sha512',
  'sha3-224': 'sha3-224',
  'sha3-256': 'sha3-256',
  'sha3-384': 'sha3-384',
  'sha3-512': 'sha3-512',
};

export const DEFAULT_HASH = 'sha2-256';

/** Node's digest for a Vault name, or undefined. */
export function nodeHash(name: string): string | undefined {
  return Object.hasOwn(HASHES, name) ? HASHES[name] : undefined;
}

/** For sign/verify: Vault's 400 `invalid hash algorithm "x"`. */
export function signatureHash(name: string): string {
  const h = nodeHash(name);
  if (!h) throw badRequest(`invalid hash algorithm ${JSON.stringify(name)}`);
  return h;
}

/** For hash and hmac (no sha1): Vault's `unsupported algorithm x`. */
export function digestHash(name: string): string {
  const h = name === 'sha1' ? undefined : nodeHash(name);
  if (!h) throw badRequest(`unsupported algorithm ${name}`);
  return h;
}

import { constants, privateEncrypt, publicDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { badRequest } from '../../errors';

// RSASSA-PKCS1-v1_5 over a digest the client already computed (`prehashed`).
// Node's sign() always hashes its input, but a PKCS#1 v1.5 signature is the
// RSA private operation with type-1 padding over DigestInfo || digest, which
// privateEncrypt with RSA_PKCS1_PADDING performs: only the DigestInfo prefix
// (the DER header naming the hash, RFC 8017 §9.2 note 1) is supplied here.
// rsa-prehashed.test.ts checks each prefix against what Node's sign() makes.

const prefix = (hex: string) => Buffer.from(hex.replace(/ /g, ''), 'hex');
const SHA2_OID = '30 0d 06 09 60 86 48 01 65 03 04 02';

/** DigestInfo DER prefix and digest length per Node digest name. */
export const DIGEST_INFO: Record<string, { prefix: Buffer; length: number }> = {
  sha1: { prefix: prefix('30 21 30 09 06 05 2b 0e 03 02 1a 05 00 04 14'), length: 20 },
  sha224: { prefix: prefix(`30 2d ${SHA2_OID} 04 05 00 04 1c`), length: 28 },
  sha256: { prefix: prefix(`30 31 ${SHA2_OID} 01 05 00 04 20`), length: 32 },
  sha384: { prefix: prefix(`30 41 ${SHA2_OID} 02 05 00 04 30`), length: 48 },
  sha512: { prefix: prefix(`30 51 ${SHA2_OID} 03 05 00 04 40`), length: 64 },
  'sha3-224': { prefix: prefix(`30 2d ${SHA2_OID} 07 05 00 04 1c`), length: 28 },
  'sha3-256': { prefix: prefix(`30 31 ${SHA2_OID} 08 05 00 04 20`), length: 32 },
  'sha3-384': { prefix: prefix(`30 41 ${SHA2_OID} 09 05 00 04 30`), length: 48 },
  'sha3-512': { prefix: prefix(`30 51 ${SHA2_OID} 0a 05 00 04 40`), length: 64 },
};

function digestInfo(hash: string, digest: Buffer): Buffer {
  const info = DIGEST_INFO[hash];
  if (!info) throw badRequest(`unsupported hash algorithm ${hash} for prehashed input`);
  // Go: "crypto/rsa: input must be hashed message" (a 500 in Vault; the client's input here, so 400).
  if (digest.length !== info.length) throw badRequest('crypto/rsa: input must be hashed message');
  return Buffer.concat([info.prefix, digest]);
}

export function signPkcs1Prehashed(key: KeyObject, hash: string, digest: Buffer): Buffer {
  return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo(hash, digest));
}

export function verifyPkcs1Prehashed(key: KeyObject, hash: string, digest: Buffer, signature: Buffer): boolean {
  const expected = digestInfo(hash, digest);
  let recovered: Buffer;
  try {
    recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
  return recovered.length === expected.length && timingSafeEqual(recovered, expected);
}

import { constants, createCipheriv, createDecipheriv, privateDecrypt, publicEncrypt, randomBytes, type CipherGCMTypes } from 'node:crypto';
import { badRequest } from '../../errors';
import { decodeBase64 } from './base64';
import { encodeEnvelope, parseEnvelope } from './ciphertext';
import { KEY_TRAITS, type KeyType } from './key-types';
import { privateKeyOf, publicKeyOf, symmetricKey } from './key-material';
import { versionEntry, type KeyPolicy } from './policy';

// Encryption and decryption with a key version, laid out byte for byte as
// Vault does (keysutil SymmetricEncryptRaw / EncryptWithFactory): AEAD output
// is nonce(12) || ciphertext || tag(16) — Go's Seal appends the tag — and RSA
// uses OAEP with SHA-256 and no label. All primitives are Node's.

export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/** Vault's ErrTooOld: a ciphertext or signature below min_decryption_version. */
export const ERR_TOO_OLD = 'ciphertext or signature version is disallowed by policy (too old)';

type AeadType = 'aes128-gcm96' | 'aes256-gcm96' | 'chacha20-poly1305';

const NODE_CIPHER: Record<AeadType, CipherGCMTypes | 'chacha20-poly1305'> = {
  'aes128-gcm96': 'aes-128-gcm',
  'aes256-gcm96': 'aes-256-gcm',
  'chacha20-poly1305': 'chacha20-poly1305',
};
/** Go's error text when Open fails, per AEAD (crypto/cipher, x/crypto/chacha20poly1305). */
const OPEN_FAILED: Record<AeadType, string> = {
  'aes128-gcm96': 'cipher: message authentication failed',
  'aes256-gcm96': 'cipher: message authentication failed',
  'chacha20-poly1305': 'chacha20poly1305: message authentication failed',
};

/** nonce || ciphertext || tag. */
export function aeadSeal(type: AeadType, key: Buffer, plaintext: Buffer, aad?: Buffer, nonce = randomBytes(NONCE_BYTES)): Buffer {
  const c = createCipheriv(NODE_CIPHER[type] as CipherGCMTypes, key, nonce, { authTagLength: TAG_BYTES });
  if (aad?.length) c.setAAD(aad, { plaintextLength: plaintext.length });
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([nonce, body, c.getAuthTag()]);
}

/** Inverse of aeadSeal; a short or tampered input is the caller's 400, never a 500. */
export function aeadOpen(type: AeadType, key: Buffer, data: Buffer, aad?: Buffer): Buffer {
  if (data.length < NONCE_BYTES) throw badRequest('invalid ciphertext length');
  if (data.length < NONCE_BYTES + TAG_BYTES) throw badRequest(OPEN_FAILED[type]);
  const nonce = data.subarray(0, NONCE_BYTES);
  const tag = data.subarray(data.length - TAG_BYTES);
  const d = createDecipheriv(NODE_CIPHER[type] as CipherGCMTypes, key, nonce, { authTagLength: TAG_BYTES });
  d.setAuthTag(tag);
  if (aad?.length) d.setAAD(aad, { plaintextLength: data.length - NONCE_BYTES - TAG_BYTES });
  try {
    return Buffer.concat([d.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), d.final()]);
  } catch {
    throw badRequest(OPEN_FAILED[type]);
  }
}

const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' } as const;

/** Resolve the version to encrypt with (0 = latest) under Vault's rules and wording. */
export function encryptionVersion(p: KeyPolicy, requested: number): number {
  if (requested === 0) return p.latest_version;
  if (requested > p.latest_version) throw badRequest('requested version for encryption is higher than the latest key version');
  if (requested < p.min_encryption_version) throw badRequest('requested version for encryption is less than the minimum encryption key version');
  return requested;
}

/** `aad` is Vault's associated_data (AEAD keys only; the caller checks the type). */
export function encrypt(p: KeyPolicy, requestedVersion: number, plaintext: Buffer, aad?: Buffer): { ciphertext: string; version: number } {
  if (!KEY_TRAITS[p.type].encryption) throw badRequest(`message encryption not supported for key type ${p.type}`);
  const version = encryptionVersion(p, requestedVersion);
  const entry = versionEntry(p, version);
  let raw: Buffer;
  if (KEY_TRAITS[p.type].family === 'aead') raw = aeadSeal(p.type as AeadType, symmetricKey(entry), plaintext, aad);
  else {
    try {
      raw = publicEncrypt({ key: publicKeyOf(entry), ...OAEP }, plaintext);
    } catch {
      // Vault answers this with a 500 (an InternalError); it is the client's oversized input, so 400 here.
      throw badRequest('failed to RSA encrypt the plaintext: crypto/rsa: message too long for RSA key size');
    }
  }
  return { ciphertext: encodeEnvelope(version, raw.toString('base64')), version };
}

/** Decrypt a `vault:vN:` ciphertext: Vault's checks in Vault's order, then the primitive. */
export function decrypt(p: KeyPolicy, ciphertext: string, aad?: Buffer): { plaintext: Buffer; version: number } {
  if (!KEY_TRAITS[p.type].encryption) throw badRequest(`message decryption not supported for key type ${p.type}`);
  const { version, payload } = parseEnvelope(ciphertext, 'ciphertext');
  if (version > p.latest_version) throw badRequest('invalid ciphertext: version is too new');
  if (p.min_decryption_version > 0 && version < p.min_decryption_version) throw badRequest(ERR_TOO_OLD);
  let raw: Buffer;
  try {
    raw = decodeBase64(payload);
  } catch {
    throw badRequest('invalid ciphertext: could not decode base64');
  }
  const entry = versionEntry(p, version);
  if (KEY_TRAITS[p.type].family === 'aead') return { plaintext: aeadOpen(p.type as AeadType, symmetricKey(entry), raw, aad), version };
  try {
    return { plaintext: privateDecrypt({ key: privateKeyOf(entry), ...OAEP }, raw), version };
  } catch {
    // Vault: InternalError (500). A tampered ciphertext is a bad request.
    throw badRequest('failed to RSA decrypt the ciphertext: crypto/rsa: decryption error');
  }
}

export function isAead(type: KeyType): type is AeadType {
  return KEY_TRAITS[type].family === 'aead';
}

import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { KEY_TRAITS, type KeyType } from './key-types';
import type { KeyVersion } from './policy';

// Making and loading key versions with Node's crypto (keysutil
// RotateInMemory). Asymmetric keys are generated off the event loop (RSA-4096
// takes a while) and kept as PKCS#8 DER; public keys are shown in Vault's
// formats: PEM "PUBLIC KEY" (PKIX) for ECDSA and RSA, raw base64 for ed25519.

const generateKeyPairAsync = promisify(generateKeyPair);

/** Every version carries its own 32-byte HMAC key, as in Vault. */
export const HMAC_KEY_BYTES = 32;

export async function newKeyVersion(type: KeyType, now = new Date()): Promise<KeyVersion> {
  const base = { hmac_key: randomBytes(HMAC_KEY_BYTES).toString('base64'), time: now.toISOString(), creation_time: Math.floor(now.getTime() / 1000) };
  const t = KEY_TRAITS[type];
  if (t.family === 'aead') return { ...base, key: randomBytes(t.size).toString('base64') };
  const pair =
    t.family === 'rsa'
      ? await generateKeyPairAsync('rsa', { modulusLength: t.size, publicExponent: 65537 })
      : t.family === 'ecdsa'
        ? await generateKeyPairAsync('ec', { namedCurve: t.curve! })
        : await generateKeyPairAsync('ed25519');
  const der = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
  return { ...base, private_key: der.toString('base64'), public_key: formatPublicKey(type, pair.publicKey) };
}

function formatPublicKey(type: KeyType, pub: KeyObject): string {
  if (KEY_TRAITS[type].family === 'ed25519') return Buffer.from(pub.export({ format: 'jwk' }).x!, 'base64url').toString('base64');
  return pub.export({ type: 'spki', format: 'pem' }).toString();
}

export function symmetricKey(v: KeyVersion): Buffer {
  return Buffer.from(v.key!, 'base64');
}

export function privateKeyOf(v: KeyVersion): KeyObject {
  return createPrivateKey({ key: Buffer.from(v.private_key!, 'base64'), format: 'der', type: 'pkcs8' });
}

export function publicKeyOf(v: KeyVersion): KeyObject {
  return createPublicKey(privateKeyOf(v));
}

export function hmacKeyOf(v: KeyVersion): Buffer {
  return Buffer.from(v.hmac_key, 'base64');
}

/**
 * The private key as Vault's export shows it (path_export.go): AEAD keys and
 * ed25519 (Go's 64-byte seed||public) in base64, ECDSA as SEC 1 PEM
 * "EC PRIVATE KEY", RSA as PKCS#1 PEM "RSA PRIVATE KEY".
 */
export function exportPrivate(type: KeyType, v: KeyVersion): string {
  const family = KEY_TRAITS[type].family;
  if (family === 'aead') return v.key!;
  const priv = privateKeyOf(v);
  if (family === 'ed25519') {
    const jwk = priv.export({ format: 'jwk' });
    return Buffer.concat([Buffer.from(jwk.d!, 'base64url'), Buffer.from(jwk.x!, 'base64url')]).toString('base64');
  }
  const pem = family === 'ecdsa' ? priv.export({ type: 'sec1', format: 'pem' }) : priv.export({ type: 'pkcs1', format: 'pem' });
  return pem.toString().trim();
}

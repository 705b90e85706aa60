import { constants, createHash, generateKeyPairSync, publicDecrypt, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DIGEST_INFO, signPkcs1Prehashed, verifyPkcs1Prehashed } from './rsa-prehashed';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const message = Buffer.from('prehashed message');

describe('PKCS#1 v1.5 over a client-supplied digest', () => {
  it.each(Object.keys(DIGEST_INFO))('%s: the DigestInfo prefix is what node:crypto sign() itself encodes', (hash) => {
    const recovered = publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, sign(hash, message, privateKey));
    const digest = createHash(hash).update(message).digest();
    expect(recovered.equals(Buffer.concat([DIGEST_INFO[hash].prefix, digest]))).toBe(true);
  });

  it.each(Object.keys(DIGEST_INFO))('%s: a prehashed signature verifies as an ordinary one, and back', (hash) => {
    const digest = createHash(hash).update(message).digest();
    const sig = signPkcs1Prehashed(privateKey, hash, digest);
    expect(verify(hash, message, publicKey, sig)).toBe(true);
    expect(verifyPkcs1Prehashed(publicKey, hash, digest, sign(hash, message, privateKey))).toBe(true);
    expect(verifyPkcs1Prehashed(publicKey, hash, createHash(hash).update('other').digest(), sig)).toBe(false);
  });

  it('refuses a digest of the wrong length as a 400', () => {
    expect(() => signPkcs1Prehashed(privateKey, 'sha256', Buffer.alloc(20))).toThrow(expect.objectContaining({ status: 400 }));
  });
});
